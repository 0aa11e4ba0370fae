"""Who may see and do what, page by page: the access trio for every view.

Every named route in `cases.urls` and `policies.urls` is listed in ROUTES (and every
route of `api.urls` in tests/api/test_access.py), and a test fails when a new route is
added without an entry. For each route: a user of the owning
team gets the page (or the expected redirect), a user of another team gets a 404 for
anything that points at an object (and changes nothing), and an anonymous visitor is sent
to sign in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    Customer,
    ExceptionRequest,
    FollowUpTask,
    Heartbeat,
    Interaction,
    Status,
)
from policies import services as policy_services
from policies.models import AllowedException, DemeanourGuidance, Policy, PolicyVersion
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# A due time inside the window (cases/limits.py: up to two years ahead).
SOON = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

OTHER_SUBJECT = "Suitcase wheel snapped at the gate"
OTHER_CUSTOMER = "Olga Outland"
OTHER_EMAIL = "olga@elsewhere.test"
OTHER_PHONE = "+44 7700 900999"
OTHER_SUMMARY = "Wants a zebrawood replacement handle"


# The world: one case and customer in each team ----------------------------------------


@pytest.fixture
def other_customer(other_team, other_team_staff):
    return CustomerFactory(
        name=OTHER_CUSTOMER,
        email=OTHER_EMAIL,
        phone=OTHER_PHONE,
        team=other_team,
        created_by=other_team_staff,
    )


@pytest.fixture
def other_case(other_team_staff, other_customer, category):
    """Another team's case, unassigned (so it would show on a careless manager home)."""
    return services.open_case(
        by=other_team_staff,
        customer=other_customer,
        team=other_customer.team,
        subject=OTHER_SUBJECT,
        category=category,
        channel="phone",
        first_summary=OTHER_SUMMARY,
        first_minutes=4,
    )


@pytest.fixture
def policy(admin_user):
    """A policy in force with one allowed exception: staff alone up to 10, a manager up to 50."""
    return policy_services.create_policy(
        by=admin_user,
        code="TEST-REFUND",
        title="Refunds within 30 days",
        category="refunds",
        customer_wording="We refund within 30 days with a receipt.",
        effective_from=date(2024, 1, 1),
        exceptions=[
            {
                "name": "Store credit instead of a refund",
                "kind": "store_credit",
                "max_value": Decimal("100.00"),
                "staff_limit": Decimal("10.00"),
                "manager_limit": Decimal("50.00"),
            }
        ],
    )


@pytest.fixture
def world(
    staff,
    colleague,
    manager,
    admin_user,
    other_team_staff,
    other_team_manager,
    customer,
    case,
    other_customer,
    other_case,
    category,
    guidance,
    policy,
):
    return SimpleNamespace(
        staff=staff,
        colleague=colleague,
        manager=manager,
        admin_user=admin_user,
        other_team_staff=other_team_staff,
        other_team_manager=other_team_manager,
        customer=customer,
        case=case,
        other_customer=other_customer,
        other_case=other_case,
        category=category,
        policy=policy,
        allowed=policy.allowed_exceptions.get(),
        request=None,
        task=None,
        feedback_token=None,
    )


REQUEST_ASK = "Wants 30 in store credit for the scratched door"


def db_state() -> dict[str, Any]:
    """Everything a request could change by mistake, to compare before and after."""
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "customers": list(Customer.objects.order_by("pk").values()),
        "tasks": list(FollowUpTask.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "interactions": list(Interaction.objects.order_by("pk").values_list("pk", flat=True)),
        "guidance": list(DemeanourGuidance.objects.order_by("pk").values()),
        "policies": list(Policy.objects.order_by("pk").values()),
        "versions": list(PolicyVersion.objects.order_by("pk").values_list("pk", flat=True)),
        "allowed": list(AllowedException.objects.order_by("pk").values()),
        "requests": list(ExceptionRequest.objects.order_by("pk").values()),
    }


def login_url(next_url: str) -> str:
    return f"/accounts/login/?next={quote(next_url, safe='/')}"


# Routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One way of calling a named route, and what each kind of user should get."""

    name: str
    method: str = "get"
    # What the URL points at: None, "case", "customer", "customer_preset" (?customer=),
    # "request" (an exception request on our case), or the team-free "demeanour",
    # "demeanour_language", "policy", "policy_version", "allowed".
    target: str | None = None
    # Fixture name of the user who may use it, and what they get: a status code, or a
    # regex the redirect location must match ("{case}" is the case's URL).
    insider: str = "staff"
    insider_gets: int | str = 200
    # For the other team's user, when the route is not about an object of ours.
    outsider_gets: int = 200
    data: dict[str, Any] = field(default_factory=dict)
    # Put the case in the state the action needs (e.g. resolved before a reopen).
    prepare: str | None = None
    public: bool = False

    @property
    def object_level(self) -> bool:
        return self.target in {"case", "customer", "customer_preset", "request", "task"}

    def __str__(self) -> str:
        return f"{self.name}-{self.method}"


INTERACTION = {
    "channel": "phone",
    "direction": "inbound",
    "summary": "Rang back about the fridge",
    "demeanour": "calm",
    "minutes": "3",
}
CUSTOMER = {
    "name": "Nia Newcomer",
    "email": "nia@example.com",
    "phone": "",
    "preferred_channel": "email",
    "preferences": "Mornings only",
}
NEW_CASE = {
    "subject": "Door handle fell off",
    "channel": "in_person",
    "priority": "normal",
    "demeanour": "calm",
    "first_minutes": "0",
    "assign_to_me": "on",
}
GUIDANCE = {
    "headline": "Rewritten headline",
    "listen": "Listen well",
    "de_escalate": "Calm down",
    "boundaries": "Be clear",
    "escalate": "Call a manager",
}
POLICY = {
    "code": "LATE-FEE",
    "title": "Late collection fee",
    "category": "fees",
    "customer_wording": "Items left over 14 days cost 1 a day.",
    "internal_notes": "",
    "effective_from": "2024-01-01",
    "effective_to": "",
    "active": "on",
    "change_note": "Wording",
}
ALLOWED = {
    "name": "Waive the late fee",
    "kind": "fee_waiver",
    "max_value": "20.00",
    "staff_limit": "5.00",
    "manager_limit": "20.00",
    "guidance": "First time only",
    "active": "on",
}

ROUTES = [
    Route("home"),
    Route("search", data={"q": "fridge"}),
    Route("search_suggest", data={"q": "Dana", "list": "nav-search"}),
    Route("search_suggest", data={"q": "Dana", "list": "case-customer"}),
    # Anyone signed in sets their own shortcuts preference, then goes back where they were.
    Route(
        "shortcuts_preference",
        "post",
        data={"enabled": "off", "next": "/tasks/"},
        insider_gets=r"^/tasks/$",
        outsider_gets=302,
    ),
    Route("customer_list"),
    Route("customer_create"),
    Route(
        "customer_create",
        "post",
        data=CUSTOMER,
        insider_gets=r"^/customers/\d+/$",
        outsider_gets=302,  # into their own team, see _data
    ),
    Route("customer_detail", target="customer"),
    Route("customer_edit", target="customer"),
    Route("customer_edit", "post", target="customer", data=CUSTOMER, insider_gets="{customer}"),
    Route("case_list"),
    # Managers only: staff (of any team) get 403 and change nothing.
    Route(
        "case_bulk",
        "post",
        insider="manager",
        data={"case": "case", "action": "priority", "priority": "high", "next": "/cases/"},
        insider_gets=r"^/cases/$",
        outsider_gets=403,
    ),
    Route("case_create"),
    Route("case_create", target="customer_preset"),
    Route(
        "case_create",
        "post",
        target="customer_preset",
        data=NEW_CASE,
        insider_gets=r"^/cases/CD-\d{6}/$",
    ),
    Route("case_detail", target="case"),
    # Without htmx, "Show earlier events" is the case page at that point.
    Route("case_timeline", target="case", insider_gets=r"^/cases/CD-\d{6}/#timeline$"),
    Route("case_log_interaction", "post", target="case", data=INTERACTION, insider_gets="{case}"),
    Route(
        "case_reassign",
        "post",
        target="case",
        data={"assignee": "colleague"},
        insider_gets="{case}",
    ),
    Route(
        "case_triage",
        "post",
        target="case",
        data={"priority": "high", "demeanour": "angry"},
        insider_gets="{case}",
    ),
    Route(
        "case_resolve",
        "post",
        target="case",
        data={"outcome": "compromise", "summary": "Store credit offered"},
        insider_gets="{case}",
    ),
    Route(
        "case_reopen",
        "post",
        target="case",
        data={"reason": "Customer called again"},
        insider_gets="{case}",
        prepare="resolve",
    ),
    Route(
        "case_attach_policy",
        "post",
        target="case",
        data={"policy": "policy"},
        insider_gets="{case}",
    ),
    Route(
        "case_request_exception",
        "post",
        target="case",
        data={
            "allowed_exception": "allowed",
            "value": "5.00",
            "customer_ask": "Store credit for the dent",
            "justification": "Within my limit",
        },
        insider_gets="{case}",
    ),
    Route("approvals", insider="manager", outsider_gets=403),
    Route(
        "request_decide",
        "post",
        target="request",
        insider="manager",
        insider_gets="{case}",
        prepare="request",
    ),
    Route("request_withdraw", "post", target="request", insider_gets="{case}", prepare="request"),
    Route("policy_list"),
    Route("policy_detail", target="policy"),
    Route("policy_version", target="policy_version"),
    Route("policy_create", insider="admin_user", outsider_gets=403),
    Route(
        "policy_create",
        "post",
        data=POLICY,
        insider="admin_user",
        insider_gets="/policies/LATE-FEE/",
        outsider_gets=403,
    ),
    Route("policy_edit", target="policy", insider="admin_user", outsider_gets=403),
    Route(
        "policy_edit",
        "post",
        target="policy",
        data=POLICY,
        insider="admin_user",
        insider_gets="/policies/TEST-REFUND/",
        outsider_gets=403,
    ),
    Route("exception_create", target="policy", insider="admin_user", outsider_gets=403),
    Route(
        "exception_create",
        "post",
        target="policy",
        data=ALLOWED,
        insider="admin_user",
        insider_gets="/policies/TEST-REFUND/",
        outsider_gets=403,
    ),
    Route("exception_edit", target="allowed", insider="admin_user", outsider_gets=403),
    Route(
        "exception_edit",
        "post",
        target="allowed",
        data=ALLOWED,
        insider="admin_user",
        insider_gets="/policies/TEST-REFUND/",
        outsider_gets=403,
    ),
    Route("guidance_list"),
    Route("guidance_edit", target="demeanour", insider="admin_user", outsider_gets=403),
    Route(
        "guidance_edit",
        "post",
        target="demeanour",
        data=GUIDANCE,
        insider="admin_user",
        insider_gets="/policies/guidance/",
        outsider_gets=403,
    ),
    # A card's version in another language: made from the default one, saved the same way.
    Route(
        "guidance_edit_language",
        target="demeanour_language",
        insider="admin_user",
        outsider_gets=403,
    ),
    Route(
        "guidance_edit_language",
        "post",
        target="demeanour_language",
        data=GUIDANCE,
        insider="admin_user",
        insider_gets="/policies/guidance/",
        outsider_gets=403,
    ),
    Route(
        "case_add_task",
        "post",
        target="case",
        data={
            "title": "Call back about the dent",
            "kind": "call_back",
            "assignee": "colleague",
            "due_at": SOON,
        },
        insider_gets="{case}",
    ),
    Route("my_tasks"),
    Route("team_tasks", insider="manager", outsider_gets=403),
    Route("task_complete", "post", target="task", insider_gets="{case}", prepare="task"),
    Route("task_cancel", "post", target="task", insider_gets="{case}", prepare="task"),
    Route("task_reschedule", "post", target="task", insider_gets="{case}", prepare="task"),
    Route("study_list"),
    Route(
        "case_mark_study",
        "post",
        target="case",
        insider="manager",
        data={"kind": "went_well", "title": "Calm refund", "write_up": "Listened first."},
        insider_gets="{case}",
        prepare="resolve",
    ),
    Route("insights", insider="manager", outsider_gets=403),
    Route("insights_export", target="table", insider="manager", outsider_gets=403),
    # The customer's link: no sign-in, and nothing of the case on the page.
    Route("feedback", target="feedback", public=True, prepare="feedback"),
    Route("health", public=True),
    # The profile page (its API tokens section): everyone's own.
    Route("profile"),
    Route("profile", "post", data={"action": "create_token", "name": "Till 1"}),
]
PRIVATE = [route for route in ROUTES if not route.public]
OBJECT_LEVEL = [route for route in ROUTES if route.object_level]
POST_ONLY = [
    route
    for route in ROUTES
    if route.method == "post"
    and not any(other.name == route.name and other.method == "get" for other in ROUTES)
]


def _url(route: Route, world: SimpleNamespace) -> str:
    if route.target == "case":
        return reverse(route.name, args=[world.case.reference])
    if route.target == "customer":
        return reverse(route.name, args=[world.customer.pk])
    if route.target == "customer_preset":
        return f"{reverse(route.name)}?customer={world.customer.pk}"
    if route.target == "request":
        return reverse(route.name, args=[world.request.pk])
    if route.target == "table":
        return reverse(route.name, args=["cost_to_serve"])
    if route.target == "task":
        return reverse(route.name, args=[world.task.pk])
    if route.target == "feedback":
        return reverse(route.name, args=[world.feedback_token])
    if route.target == "demeanour":
        return reverse(route.name, args=["angry"])
    if route.target == "demeanour_language":
        return reverse(route.name, args=["angry", "pl"])
    if route.target == "policy":
        return reverse(route.name, args=[world.policy.code])
    if route.target == "policy_version":
        return reverse(route.name, args=[world.policy.code, 1])
    if route.target == "allowed":
        return reverse(route.name, args=[world.policy.code, world.allowed.pk])
    return reverse(route.name)


def _data(route: Route, world: SimpleNamespace, user: Any) -> dict[str, Any]:
    data = dict(route.data)
    if data.get("assignee") == "colleague":
        data["assignee"] = world.colleague.pk
    if data.get("case") == "case":
        data["case"] = world.case.pk
    if data.get("policy") == "policy":
        data["policy"] = world.policy.pk
    if data.get("allowed_exception") == "allowed":
        data["allowed_exception"] = world.allowed.pk
    if route.name == "request_decide":
        prefix = f"r{world.request.pk}"
        data = {f"{prefix}-decision": "approve", f"{prefix}-reason": "Fair, given the dent"}
    if route.name == "task_complete":
        data = {f"t{world.task.pk}-outcome_note": "Called back; all settled"}
    if route.name == "task_reschedule":
        data = {f"t{world.task.pk}-due_at": SOON}
    if route.name == "customer_create":
        # Each user registers the customer in their own team (the admin in ours).
        data["team"] = (user.teams.first() if user else None) or world.case.team
        data["team"] = data["team"].pk
    if route.name == "case_create":
        data.update(customer=world.customer.pk, team=world.case.team.pk)
        data["category"] = world.category.pk
        if user == world.admin_user:
            data.pop("assign_to_me")  # an admin is in no team, so cannot take the case
    return data


def _prepare(route: Route, world: SimpleNamespace) -> None:
    if route.prepare == "request":
        # Above staff's limit: it waits for a manager of the team.
        world.request = services.request_exception(
            world.case,
            by=world.staff,
            allowed=world.allowed,
            value=Decimal("30.00"),
            customer_ask=REQUEST_ASK,
            justification="Scratched on delivery",
        )
        assert world.request.status == "pending"
    if route.prepare == "task":
        world.task = services.add_task(
            world.case,
            by=world.staff,
            title="Check the door was replaced",
            kind="check_satisfaction",
            assignee=world.staff,
            due_at=timezone.now() + timedelta(days=2),
        )
    if route.prepare == "feedback":
        from cases.services.followups import feedback_token

        feedback = services.schedule_feedback(world.case, send_at=timezone.now())
        assert feedback
        world.feedback_token = feedback_token(feedback)
    if route.prepare == "resolve":
        services.resolve_case(
            world.case, by=world.staff, outcome="compromise", summary="Store credit"
        )


def _call(client, route: Route, world: SimpleNamespace, user: Any = None):
    url = _url(route, world)
    if route.method == "post":
        return client.post(url, _data(route, world, user))
    return client.get(url, route.data)


def _expected_location(route: Route, world: SimpleNamespace) -> str:
    assert isinstance(route.insider_gets, str)
    if route.insider_gets.startswith("^"):
        return route.insider_gets
    url = route.insider_gets.format(
        case=world.case.get_absolute_url(), customer=world.customer.get_absolute_url()
    )
    return f"^{re.escape(url)}$"


def _route_names(patterns: Sequence[URLPattern | URLResolver]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _route_names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


# Every route is covered ----------------------------------------------------------------


def test_every_named_route_of_cases_and_policies_has_access_tests():
    from cases import urls as case_urls
    from policies import urls as policy_urls

    named = _route_names(case_urls.urlpatterns) | _route_names(policy_urls.urlpatterns)
    tested = {route.name for route in ROUTES}
    assert named - tested == set(), "add these routes to ROUTES with their access rules"
    assert tested - named == {"health", "profile"}


def test_every_api_route_has_access_tests():
    """The API's routes have their own table (tests/api/test_access.py), with the same
    trio plus wrong role and dead tokens; a route missing from it fails here too."""
    from api import urls as api_urls
    from tests.api.test_access import ENDPOINTS, PUBLIC

    tested = {endpoint.name for endpoint in ENDPOINTS} | {name for name, _ in PUBLIC}
    missing = _route_names(api_urls.urlpatterns) - tested
    assert missing == set(), "add these API routes to ENDPOINTS in tests/api/test_access.py"


# Own team ------------------------------------------------------------------------------


@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_own_team_user_gets_every_page_or_action(route, world, signed_in, request):
    user = request.getfixturevalue(route.insider)
    _prepare(route, world)
    response = _call(signed_in(user), route, world, user)
    if isinstance(route.insider_gets, int):
        assert response.status_code == route.insider_gets
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert re.match(_expected_location(route, world), response["Location"])


def test_own_team_actions_really_change_the_case(world, signed_in):
    client = signed_in(world.staff)
    url = world.case.get_absolute_url()
    client.post(f"{url}interactions/", INTERACTION)
    client.post(f"{url}reassign/", {"assignee": world.colleague.pk})
    client.post(f"{url}triage/", {"priority": "high", "demeanour": "angry"})
    client.post(f"{url}resolve/", {"outcome": "compromise", "summary": "Store credit offered"})
    world.case.refresh_from_db()
    assert (world.case.assignee, world.case.priority, world.case.status) == (
        world.colleague,
        "high",
        Status.RESOLVED,
    )
    client.post(f"{url}reopen/", {"reason": "Customer called again"})
    world.case.refresh_from_db()
    assert world.case.status == Status.OPEN


# Another team --------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["other_team_staff", "other_team_manager"])
@pytest.mark.parametrize("route", OBJECT_LEVEL, ids=str)
def test_other_team_user_gets_404_on_our_cases_and_customers(
    route, outsider, world, signed_in, request
):
    user = request.getfixturevalue(outsider)
    _prepare(route, world)
    before = db_state()
    response = _call(signed_in(user), route, world, user)
    assert response.status_code == 404
    assert world.case.subject not in response.content.decode()
    assert world.customer.name not in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("route", [route for route in PRIVATE if not route.object_level], ids=str)
def test_other_team_user_gets_the_team_free_pages_without_our_data(route, world, signed_in):
    before = db_state()
    response = _call(signed_in(world.other_team_staff), route, world, world.other_team_staff)
    assert response.status_code == route.outsider_gets
    html = response.content.decode()
    assert world.case.subject not in html
    assert world.customer.name not in html
    if route.outsider_gets == 403:
        assert db_state() == before


def test_other_team_user_cannot_open_a_case_for_our_customer_by_url(world, signed_in):
    client = signed_in(world.other_team_staff)
    response = client.get(reverse("case_create"), {"customer": world.customer.pk})
    assert response.status_code == 404


def test_other_team_user_cannot_register_a_customer_in_our_team(world, signed_in):
    client = signed_in(world.other_team_staff)
    before = Customer.objects.filter(team=world.case.team).count()
    response = client.post(reverse("customer_create"), {**CUSTOMER, "team": world.case.team.pk})
    assert response.status_code in {200, 400, 404}
    assert Customer.objects.filter(team=world.case.team).count() == before


def test_other_team_reference_guess_is_404_not_a_hint(world, signed_in):
    client = signed_in(world.staff)
    theirs = client.get(world.other_case.get_absolute_url())
    missing = client.get(reverse("case_detail", args=["CD-999999"]))
    assert theirs.status_code == missing.status_code == 404
    assert OTHER_SUBJECT not in theirs.content.decode()


# Anonymous -----------------------------------------------------------------------------


@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_anonymous_visitor_is_sent_to_sign_in(route, world, client):
    _prepare(route, world)
    before = db_state()
    response = _call(client, route, world)
    assert response.status_code == 302
    url = _url(route, world)
    if route.method == "get" and route.data:
        url = f"{url}?{'&'.join(f'{k}={v}' for k, v in route.data.items())}"
    assert response["Location"] == login_url(url)
    assert db_state() == before


def test_health_is_public_and_tells_only_the_status(client, db):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now())
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# Methods -------------------------------------------------------------------------------


@pytest.mark.parametrize("route", POST_ONLY, ids=str)
def test_get_on_a_post_only_action_is_refused_and_changes_nothing(route, world, signed_in):
    _prepare(route, world)
    before = db_state()
    response = signed_in(world.staff).get(_url(route, world), _data(route, world, world.staff))
    assert response.status_code == 405
    assert db_state() == before


@pytest.mark.parametrize("name", ["customer_create", "customer_edit", "case_create"])
def test_put_and_delete_on_forms_are_refused(name, world, signed_in):
    client = signed_in(world.staff)
    url = reverse(name, args=[world.customer.pk]) if name == "customer_edit" else reverse(name)
    before = db_state()
    assert client.delete(url).status_code == 405
    assert client.put(url).status_code == 405
    assert db_state() == before


# Pages that only read. (The customer's feedback page also takes their rating: a POST.)
GET_ONLY = [
    route
    for route in ROUTES
    if route.method == "get"
    and route.name != "feedback"
    and not any(other.name == route.name and other.method == "post" for other in ROUTES)
]


def test_every_route_is_get_only_or_takes_a_post():
    """Walk the URL patterns: a route is either in GET_ONLY below or has a POST route."""
    from cases import urls as case_urls
    from policies import urls as policy_urls

    named = _route_names(case_urls.urlpatterns) | _route_names(policy_urls.urlpatterns)
    posting = {route.name for route in ROUTES if route.method == "post"} | {"feedback"}
    # /health/ and /profile/ are routed in casedesk/urls.py.
    assert named | {"health", "profile"} == {route.name for route in GET_ONLY} | posting


@pytest.mark.parametrize("route", GET_ONLY, ids=str)
@pytest.mark.parametrize("method", ["post", "patch", "delete", "put"])
def test_a_read_only_page_answers_only_get_and_head(route, method, world, signed_in, request):
    """POST, PATCH, DELETE and PUT on a page that only reads: 405, never the page."""
    user = request.getfixturevalue(route.insider)
    _prepare(route, world)
    Heartbeat.objects.create(name="worker", beat_at=timezone.now())  # /health/ is 200
    client = signed_in(user)
    url = _url(route, world)
    before = db_state()
    response = getattr(client, method)(url)
    assert response.status_code == 405, response.status_code
    assert "GET" in response["Allow"] and "HEAD" in response["Allow"]
    assert client.head(url, route.data).status_code == route_status(route)
    assert db_state() == before


def route_status(route: Route) -> int:
    return route.insider_gets if isinstance(route.insider_gets, int) else 302


# Admins --------------------------------------------------------------------------------


def test_admin_in_no_team_sees_every_teams_case(world, signed_in):
    client = signed_in(world.admin_user)
    assert world.admin_user.teams.count() == 0
    for case in (world.case, world.other_case):
        response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        assert case.subject in response.content.decode()
    listing = client.get(reverse("case_list")).content.decode()
    assert world.case.subject in listing
    assert OTHER_SUBJECT in listing
    customers = client.get(reverse("customer_list")).content.decode()
    assert world.customer.name in customers
    assert OTHER_CUSTOMER in customers


def test_admin_can_act_on_any_teams_case(world, signed_in):
    client = signed_in(world.admin_user)
    response = client.post(
        f"{world.other_case.get_absolute_url()}triage/",
        {
            "priority": "urgent",
            "demeanour": "calm",
        },
    )
    assert response.status_code == 302
    world.other_case.refresh_from_db()
    assert world.other_case.priority == "urgent"


@pytest.mark.parametrize("user", ["staff", "manager", "other_team_manager"])
def test_guidance_edit_is_403_for_anyone_but_an_admin(user, world, signed_in, request):
    client = signed_in(request.getfixturevalue(user))
    url = reverse("guidance_edit", args=["angry"])
    before = db_state()
    assert client.get(url).status_code == 403
    assert client.post(url, GUIDANCE).status_code == 403
    assert db_state() == before
    assert GUIDANCE["headline"] not in client.get(reverse("guidance_list")).content.decode()


def test_guidance_edit_is_200_for_an_admin(world, signed_in):
    response = signed_in(world.admin_user).get(reverse("guidance_edit", args=["angry"]))
    assert response.status_code == 200
    assert "Angry customer" in response.content.decode()


# Lists never leak another team's data ---------------------------------------------------


def test_case_list_shows_only_my_teams_cases(world, signed_in):
    html = signed_in(world.staff).get(reverse("case_list")).content.decode()
    assert world.case.subject in html
    assert OTHER_SUBJECT not in html
    assert world.other_case.reference not in html


def test_customer_list_shows_only_my_teams_customers(world, signed_in):
    client = signed_in(world.staff)
    html = client.get(reverse("customer_list")).content.decode()
    assert world.customer.name in html
    assert OTHER_CUSTOMER not in html
    for query in ("Olga", OTHER_EMAIL, "07700900999", "900999"):
        found = client.get(reverse("customer_list"), {"q": query}).content.decode()
        assert OTHER_CUSTOMER not in found, query
        rows = client.get(reverse("customer_list"), {"q": query}, headers={"HX-Request": "true"})
        assert OTHER_CUSTOMER not in rows.content.decode(), query


@pytest.mark.parametrize(
    "query",
    ["Olga", "Outland", OTHER_EMAIL, OTHER_PHONE, "Suitcase", "zebrawood", "reference"],
)
def test_search_never_finds_another_teams_case_or_customer(query, world, signed_in):
    if query == "reference":
        query = world.other_case.reference
    response = signed_in(world.staff).get(reverse("search"), {"q": query})
    assert response.status_code == 200  # not a redirect to the other team's case
    html = response.content.decode()
    assert OTHER_SUBJECT not in html
    assert OTHER_CUSTOMER not in html
    assert world.other_case.get_absolute_url() not in html
    for list_id in ("nav-search", "case-customer"):  # and never as you type
        typed = signed_in(world.staff).get(reverse("search_suggest"), {"q": query, "list": list_id})
        html = typed.content.decode()
        assert OTHER_CUSTOMER not in html and OTHER_SUBJECT not in html, list_id
        assert world.other_case.get_absolute_url() not in html


@pytest.mark.parametrize("query", ["Dana", "dana@example.com", "Fridge", "reference"])
def test_search_finds_my_teams_case_and_customer(query, world, signed_in):
    """The positive control for the test above: the same searches do find our data."""
    reference = query == "reference"
    if reference:
        query = world.case.reference
    response = signed_in(world.staff).get(reverse("search"), {"q": query})
    if reference:
        assert response["Location"] == world.case.get_absolute_url()
    else:
        html = response.content.decode()
        assert world.customer.name in html or world.case.subject in html


def test_manager_home_shows_only_my_teams_unassigned_cases(world, signed_in):
    mine = services.open_case(
        by=world.manager,
        customer=world.customer,
        team=world.case.team,
        subject="Unassigned toaster",
        category=world.category,
        channel="phone",
    )
    html = signed_in(world.manager).get(reverse("home")).content.decode()
    assert mine.subject in html
    assert OTHER_SUBJECT not in html
    theirs = signed_in(world.other_team_manager).get(reverse("home")).content.decode()
    assert OTHER_SUBJECT in theirs
    assert mine.subject not in theirs


def test_shared_customer_profile_shows_each_team_only_its_own_cases(world, signed_in):
    """Our customer also has a case with the other team: neither team sees the other's."""
    theirs = services.open_case(
        by=world.other_team_staff,
        customer=world.customer,
        team=world.other_case.team,
        subject="Lost luggage tag",
        category=world.category,
        channel="phone",
        first_summary="Secret airport note",
        first_minutes=30,
    )
    ours = signed_in(world.staff).get(world.customer.get_absolute_url()).content.decode()
    assert world.case.subject in ours
    assert theirs.subject not in ours
    assert "Secret airport note" not in ours
    seen_by_them = (
        signed_in(world.other_team_staff).get(world.customer.get_absolute_url()).content.decode()
    )
    assert theirs.subject in seen_by_them
    assert world.case.subject not in seen_by_them


# Case list filters offer only what the user may see ------------------------------------


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name!r}> on the page"
    return [
        re.sub(r"\s+", " ", label).strip()
        for label in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), re.S)
    ]


def test_case_list_team_and_assignee_filters_offer_only_my_teams_and_teammates(world, signed_in):
    html = signed_in(world.staff).get(reverse("case_list")).content.decode()
    assert _options(html, "team") == ["All my teams", "Downtown store"]
    assignees = _options(html, "assignee")
    assert {"Sam Staff", "Cleo Colleague", "Mo Manager"} <= set(assignees)
    assert "Otto Side" not in assignees
    assert not any(name.startswith("Oona") for name in assignees)


def test_admin_case_list_filter_offers_every_team(world, signed_in):
    html = signed_in(world.admin_user).get(reverse("case_list")).content.decode()
    assert {"Downtown store", "Airport kiosk"} <= set(_options(html, "team"))


@pytest.mark.parametrize("param", ["team", "assignee"])
def test_tampered_team_or_assignee_filter_never_shows_other_teams_cases(param, world, signed_in):
    value = world.other_case.team.pk if param == "team" else world.other_team_staff.pk
    response = signed_in(world.staff).get(reverse("case_list"), {param: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert OTHER_SUBJECT not in html
    assert "Select a valid choice" in html


def test_approvals_queue_shows_only_my_teams_requests(world, signed_in):
    _prepare(Route("request_decide", prepare="request"), world)
    ours = signed_in(world.manager).get(reverse("approvals"))
    assert ours.status_code == 200
    assert REQUEST_ASK in ours.content.decode()
    theirs = signed_in(world.other_team_manager).get(reverse("approvals"))
    assert theirs.status_code == 200
    assert REQUEST_ASK not in theirs.content.decode()
    assert world.case.reference not in theirs.content.decode()
