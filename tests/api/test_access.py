"""Who may call what, endpoint by endpoint: the access tests the pages have, for the API.

Every (route, method) of `api.urls` is listed in ENDPOINTS, and a test fails when one is
added without an entry. For each: a user of the owning team gets the expected status;
for an object of another team, a user of that other team gets a 404 and nothing changes;
an anonymous call is a 401; a role that may not is a 403; and a revoked, expired or
deactivated user's token is a 401.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, ExceptionRequest, FollowUpTask
from policies.models import Policy, PolicyVersion
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: str  # with {case}, {customer}, {request}, {task}, {policy}, {exception}
    body: dict[str, Any] = field(default_factory=dict)
    insider: str = "staff"
    insider_gets: int = 200
    # Someone of another team trying an object of ours: a 404 (False: a list, no object).
    object_level: bool = True
    # A role that may not: that fixture's user gets a 403.
    forbidden_for: str | None = None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


# Within the two-year window that due times must fall in (cases/limits.py).
TASK_DUE = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT09:30:00Z")
ENDPOINTS = [
    Endpoint("api-customer-list", "get", "/api/v1/customers/", object_level=False),
    Endpoint(
        "api-customer-list",
        "post",
        "/api/v1/customers/",
        {"name": "Nia New", "phone": "07700 900555"},
        insider_gets=201,
        object_level=False,
    ),
    Endpoint("api-customer-detail", "get", "/api/v1/customers/{customer}/"),
    Endpoint(
        "api-customer-detail",
        "patch",
        "/api/v1/customers/{customer}/",
        {"preferences": "Calls after 5pm"},
    ),
    Endpoint("api-case-list", "get", "/api/v1/cases/", object_level=False),
    Endpoint(
        "api-case-list",
        "post",
        "/api/v1/cases/",
        {
            "customer": "{customer}",
            "subject": "Kettle",
            "category": "{category}",
            "channel": "phone",
        },
        insider_gets=201,
    ),
    Endpoint("api-case-detail", "get", "/api/v1/cases/{case}/"),
    Endpoint("api-case-assign", "post", "/api/v1/cases/{case}/assign/", {"assignee": None}),
    Endpoint("api-case-triage", "post", "/api/v1/cases/{case}/triage/", {"priority": "high"}),
    Endpoint(
        "api-case-resolve",
        "post",
        "/api/v1/cases/{case}/resolve/",
        {"outcome": "compromise", "summary": "Store credit"},
    ),
    Endpoint("api-case-reopen", "post", "/api/v1/cases/{case}/reopen/", {"reason": "Broke again"}),
    Endpoint("api-interaction-list", "get", "/api/v1/cases/{case}/interactions/"),
    Endpoint(
        "api-interaction-list",
        "post",
        "/api/v1/cases/{case}/interactions/",
        {"channel": "phone", "summary": "Called back", "demeanour": "calm"},
        insider_gets=201,
    ),
    Endpoint("api-case-request-list", "get", "/api/v1/cases/{case}/exception-requests/"),
    Endpoint(
        "api-case-request-list",
        "post",
        "/api/v1/cases/{case}/exception-requests/",
        {
            "allowed_exception": "{exception}",
            "value": "5.00",
            "customer_ask": "No fee",
            "justification": "Our courier",
        },
        insider_gets=201,
    ),
    Endpoint(
        "api-case-task-list",
        "post",
        "/api/v1/cases/{case}/tasks/",
        {"title": "Call back", "kind": "call_back", "assignee": "{staff}", "due_at": TASK_DUE},
        insider_gets=201,
    ),
    Endpoint(
        "api-exception-request-list",
        "get",
        "/api/v1/exception-requests/",
        insider="manager",
        object_level=False,
        forbidden_for="staff",
    ),
    Endpoint("api-exception-request-detail", "get", "/api/v1/exception-requests/{request}/"),
    Endpoint(
        "api-exception-request-decide",
        "post",
        "/api/v1/exception-requests/{request}/decide/",
        {"decision": "approve", "reason": "Fair"},
        insider="manager",
        forbidden_for="colleague",
    ),
    Endpoint(
        "api-exception-request-withdraw",
        "post",
        "/api/v1/exception-requests/{request}/withdraw/",
        insider="staff",
        forbidden_for="manager",
    ),
    Endpoint("api-task-list", "get", "/api/v1/tasks/", object_level=False),
    Endpoint("api-task-detail", "get", "/api/v1/tasks/{task}/"),
    Endpoint(
        "api-task-complete", "post", "/api/v1/tasks/{task}/complete/", {"outcome_note": "Done"}
    ),
    Endpoint("api-task-cancel", "post", "/api/v1/tasks/{task}/cancel/", {"reason": "Not needed"}),
    Endpoint(
        "api-task-reschedule", "post", "/api/v1/tasks/{task}/reschedule/", {"due_at": TASK_DUE}
    ),
    Endpoint("api-policy-list", "get", "/api/v1/policies/", object_level=False),
    Endpoint(
        "api-policy-list",
        "post",
        "/api/v1/policies/",
        {
            "code": "FEE-1",
            "title": "Diagnostic fee",
            "category": "fees",
            "customer_wording": "The diagnostic fee is not refundable.",
            "effective_from": "2026-01-01",
        },
        insider="admin_user",
        insider_gets=201,
        object_level=False,
        forbidden_for="manager",
    ),
    Endpoint("api-policy-detail", "get", "/api/v1/policies/{policy}/", object_level=False),
    Endpoint(
        "api-policy-detail",
        "patch",
        "/api/v1/policies/{policy}/",
        {"customer_wording": "Plainer words", "note": "Reworded"},
        insider="admin_user",
        object_level=False,
        forbidden_for="manager",
    ),
    Endpoint(
        "api-policy-add-exception",
        "post",
        "/api/v1/policies/{policy}/exceptions/",
        {
            "name": "Store credit",
            "kind": "store_credit",
            "max_value": "40",
            "staff_limit": "5",
            "manager_limit": "20",
        },
        insider="admin_user",
        insider_gets=201,
        object_level=False,
        forbidden_for="manager",
    ),
    Endpoint(
        "api-policy-change-exception",
        "patch",
        "/api/v1/policies/{policy}/exceptions/{exception}/",
        {"staff_limit": "8.00"},
        insider="admin_user",
        object_level=False,
        forbidden_for="manager",
    ),
    Endpoint(
        "api-insights-summary",
        "get",
        "/api/v1/insights/summary/",
        insider="manager",
        object_level=False,
        forbidden_for="staff",
    ),
]
# The schema and its readers describe the API, not anyone's data: public.
PUBLIC = {("api-schema", "get"), ("api-docs", "get"), ("api-redoc", "get")}


@pytest.fixture
def world(case, staff, colleague, manager, admin_user, allowed, other_team_staff, category):
    """One case of our team with a pending request and an open task."""
    request = services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=allowed.staff_limit + 20,
        customer_ask="No restocking fee",
        justification="Box crushed by our courier",
    )
    task = services.add_task(
        case,
        by=staff,
        title="Check the door",
        kind="check_satisfaction",
        assignee=staff,
        due_at=timezone.now() + timedelta(days=2),
    )
    return SimpleNamespace(
        case=case,
        customer=case.customer,
        request=request,
        task=task,
        allowed=allowed,
        staff=staff,
        category=category,
    )


def _fill(value: Any, world: SimpleNamespace) -> Any:
    if not isinstance(value, str) or "{" not in value:
        return value
    names = {
        "{case}": world.case.reference,
        "{customer}": world.customer.pk,
        "{request}": world.request.pk,
        "{task}": world.task.pk,
        "{policy}": world.allowed.policy.code,
        "{exception}": world.allowed.pk,
        "{category}": world.category.pk,
        "{staff}": world.staff.pk,
    }
    if value in names:
        return names[value]
    for key, filled in names.items():
        value = value.replace(key, str(filled))
    return value


def _prepare(endpoint: Endpoint, world: SimpleNamespace) -> None:
    if endpoint.name in {"api-case-resolve", "api-case-reopen"}:
        # A case waiting for a decision cannot be resolved: the request goes first.
        services.withdraw_exception(world.request, by=world.staff)
    if endpoint.name == "api-case-reopen":
        world.case.refresh_from_db()
        services.resolve_case(world.case, by=world.staff, outcome="compromise", summary="Credit")


def call(client: ApiClient, endpoint: Endpoint, world: SimpleNamespace) -> Any:
    url = _fill(endpoint.url, world)
    if endpoint.method == "get":
        return client.get(url)
    body = {key: _fill(value, world) for key, value in endpoint.body.items()}
    return getattr(client, endpoint.method)(url, body)


def _snapshot() -> tuple[int, ...]:
    """What a refused call must not change."""
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        ExceptionRequest.objects.filter(status="pending").count(),
        FollowUpTask.objects.filter(status="open").count(),
        PolicyVersion.objects.count(),
        Policy.objects.count(),
    )


def _api_routes(patterns: list[URLPattern | URLResolver]) -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern.url_patterns)
            continue
        actions = getattr(pattern.callback, "actions", None) or {"get": None}
        routes |= {(str(pattern.name), method) for method in actions if method != "head"}
    return routes


def test_every_api_route_has_access_tests():
    from api import urls

    listed = {(endpoint.name, endpoint.method) for endpoint in ENDPOINTS}
    assert _api_routes(urls.urlpatterns) - PUBLIC == listed, "add these to ENDPOINTS"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_own_team_gets_it(endpoint, world, api, request):
    _prepare(endpoint, world)
    response = call(api(request.getfixturevalue(endpoint.insider)), endpoint, world)
    assert response.status_code == endpoint.insider_gets, response.content
    assert "no-store" in response["Cache-Control"]


OBJECT_LEVEL = [endpoint for endpoint in ENDPOINTS if endpoint.object_level]


@pytest.mark.parametrize("endpoint", OBJECT_LEVEL, ids=str)
def test_other_team_gets_404_and_changes_nothing(endpoint, world, api, other_team_manager):
    _prepare(endpoint, world)
    before = _snapshot()
    response = call(api(other_team_manager), endpoint, world)
    if endpoint.name == "api-case-list":
        # Opening a case for our customer: the customer is unknown to them.
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "customer"
    else:
        assert response.status_code == 404, response.content
        assert response.json()["errors"][0]["code"] == "not_found"
    assert _snapshot() == before


def test_lists_show_nothing_of_another_team(world, api, other_team_manager):
    client = api(other_team_manager)
    for url in ("/api/v1/cases/", "/api/v1/customers/", "/api/v1/exception-requests/"):
        assert client.get(url).json()["results"] == [], url
    assert client.get("/api/v1/tasks/", {"scope": "team"}).json()["results"] == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_gets_401(endpoint, world):
    before = _snapshot()
    response = call(ApiClient(), endpoint, world)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["code"] == "not_authenticated"
    assert _snapshot() == before


ROLE_BOUND = [endpoint for endpoint in ENDPOINTS if endpoint.forbidden_for]


@pytest.mark.parametrize("endpoint", ROLE_BOUND, ids=str)
def test_wrong_role_gets_403(endpoint, world, api, request):
    before = _snapshot()
    response = call(api(request.getfixturevalue(endpoint.forbidden_for)), endpoint, world)
    assert response.status_code == 403, response.content
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert _snapshot() == before


def _revoked(user: Any, token_for: Any) -> str:
    from api import tokens
    from api.models import ApiToken

    secret = token_for(user)
    token = ApiToken.objects.get(token_hash=tokens.hash_token(secret))
    assert tokens.revoke_token(user=user, token_id=token.pk)
    return secret


def _expired(user: Any, token_for: Any) -> str:
    import time_machine

    with time_machine.travel(timezone.now() - timedelta(days=2)):
        return token_for(user, expires_at=timezone.now() + timedelta(days=1))


def _deactivated(user: Any, token_for: Any) -> str:
    secret = token_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return secret


@pytest.mark.parametrize("spoil", [_revoked, _expired, _deactivated], ids=lambda f: f.__name__)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_dead_token_gets_401(endpoint, spoil, world, token_for, request):
    secret = spoil(request.getfixturevalue(endpoint.insider), token_for)
    before = _snapshot()
    response = call(ApiClient(secret), endpoint, world)
    assert response.status_code == 401, response.content
    assert response.json()["errors"][0]["code"] == "authentication_failed"
    assert _snapshot() == before


METHODS = ("get", "post", "put", "patch", "delete")
ROUTE_URLS = {endpoint.name: endpoint for endpoint in ENDPOINTS}
ANSWERED = {name: {e.method for e in ENDPOINTS if e.name == name} for name in ROUTE_URLS}


@pytest.mark.parametrize("name", sorted(ROUTE_URLS))
def test_a_method_a_route_does_not_take_is_405_and_changes_nothing(name, world, api, request):
    """A read-only resource (insights, policies for staff…) does not treat POST, PUT,
    PATCH or DELETE as a read, nor an action GET: 405, with what it takes in Allow."""
    endpoint = ROUTE_URLS[name]
    client = api(request.getfixturevalue(endpoint.insider))
    url = _fill(endpoint.url, world)
    before = _snapshot()
    for method in set(METHODS) - ANSWERED[name]:
        response = client.get(url) if method == "get" else client._send(method, url, {})
        assert response.status_code == 405, (method, response.content)
        allowed = {part.strip().lower() for part in response["Allow"].split(",")}
        assert ANSWERED[name] <= allowed and method not in allowed, method
    assert _snapshot() == before
