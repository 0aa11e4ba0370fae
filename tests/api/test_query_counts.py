"""Every API list runs a fixed number of queries, at 25 rows as at 100, and never counts
the table; a keyset cursor walks every row exactly once, however many ties a sort has."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import ExceptionRequest, FollowUpTask, Priority
from policies.models import Policy
from tests.factories import CaseFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 6


def _queries(client: Any, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == rows
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    return len(ctx.captured_queries)


def _cases(n: int, *, team: Any, staff: Any, category: Any) -> None:
    for _ in range(n):
        customer = CustomerFactory(team=team, created_by=staff, flags=["vip"])
        CaseFactory(
            team=team, customer=customer, created_by=staff, category=category, assignee=staff
        )


def _requests(n: int, *, case: Any, staff: Any) -> None:
    for _ in range(n):
        ExceptionRequest.objects.create(
            case=case,
            exception_name="Off-policy exception",
            kind="other",
            value=20,
            customer_ask="Refund",
            justification="Late delivery",
            required_level=2,
            requested_by=staff,
            status="pending",
        )


def _tasks(n: int, *, case: Any, staff: Any) -> None:
    for i in range(n):
        FollowUpTask.objects.create(
            case=case,
            title=f"Call {i}",
            kind="call_back",
            assignee=staff,
            due_at=timezone.now() + timedelta(hours=i),
            created_by=staff,
        )


def _policies(n: int, *, admin: Any) -> None:
    from datetime import date

    from policies import services as policy_services

    start = Policy.objects.count()
    for i in range(start, start + n):
        policy_services.create_policy(
            by=admin,
            code=f"P-{i}",
            title=f"Policy {i}",
            category="returns",
            customer_wording="Words",
            effective_from=date(2026, 1, 1),
            exceptions=[
                {
                    "name": "Credit",
                    "kind": "store_credit",
                    "max_value": 10,
                    "staff_limit": 1,
                    "manager_limit": 5,
                }
            ],
        )


LISTS: list[tuple[str, str, str]] = [
    ("/api/v1/cases/?page_size=100", "manager", "cases"),
    ("/api/v1/cases/?page_size=100&o=-priority&status=new", "manager", "cases"),
    ("/api/v1/customers/?page_size=100", "staff", "customers"),
    ("/api/v1/cases/{case}/interactions/?page_size=100", "staff", "interactions"),
    ("/api/v1/cases/{case}/exception-requests/?page_size=100", "staff", "requests"),
    ("/api/v1/exception-requests/?page_size=100", "manager", "requests"),
    ("/api/v1/tasks/?page_size=100", "staff", "tasks"),
    ("/api/v1/tasks/?scope=team&page_size=100", "manager", "tasks"),
    ("/api/v1/policies/?page_size=100", "staff", "policies"),
]


@pytest.mark.parametrize(("url", "who", "rows"), LISTS, ids=[u for u, _, _ in LISTS])
def test_lists_run_the_same_queries_at_25_and_100_rows(
    url, who, rows, api, request, staff, team, category, admin_user
):
    case = CaseFactory(team=team, created_by=staff, category=category)
    make: dict[str, Callable[[int], object]] = {
        "cases": lambda n: _cases(n, team=team, staff=staff, category=category),
        "customers": lambda n: _cases(n, team=team, staff=staff, category=category),
        "interactions": lambda n: [InteractionFactory(case=case, author=staff) for _ in range(n)],
        "requests": lambda n: _requests(n, case=case, staff=staff),
        "tasks": lambda n: _tasks(n, case=case, staff=staff),
        "policies": lambda n: _policies(n, admin=admin_user),
    }
    url = url.replace("{case}", case.reference)
    client = api(request.getfixturevalue(who))
    # The case itself and its customer count as one row of the cases and customers lists.
    extra = 1 if rows in {"cases", "customers"} else 0
    make[rows](25 - extra)
    client.get(url)  # the token's first use records it (a write at most once a minute)
    at_25 = _queries(client, url, 25)
    make[rows](75)
    at_100 = _queries(client, url, 100)
    assert at_25 == at_100 <= MAX_QUERIES


@pytest.mark.parametrize("sort", ["-priority", "priority", "-created", "subject", "status"])
def test_a_cursor_walks_every_case_once_in_order(sort, api, manager, team, staff, category):
    for i in range(23):
        CaseFactory(
            team=team,
            created_by=staff,
            category=category,
            priority=[Priority.LOW, Priority.HIGH][i % 2],  # many ties: a cursor must not skip
            subject=f"Subject {i % 3}",
        )
    client = api(manager)
    url, seen, pages = f"/api/v1/cases/?o={sort}&page_size=5", [], 0
    while url and pages < 10:
        body = client.get(url).json()
        seen += [row["reference"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    from cases.filters import SORT_FIELDS
    from cases.models import Case

    field = SORT_FIELDS[sort.lstrip("-")]
    direction = "-" if sort.startswith("-") else ""
    expected = Case.objects.order_by(f"{direction}{field}", f"{direction}id")
    assert seen == [case.reference for case in expected]


def test_a_cursor_we_did_not_give_is_a_400(api, staff):
    response = api(staff).get("/api/v1/cases/", {"cursor": "not-ours"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_the_written_out_case_row_is_what_drf_would_build(case, staff, colleague):
    """CaseSerializer writes its dict by hand for speed; DRF's generic path must agree."""
    from rest_framework import serializers

    from api.serializers.cases import CaseSerializer
    from cases import services
    from cases.models import Case

    services.reassign_case(case, by=staff, assignee=colleague)
    rows = [Case.objects.select_related("assignee").get(pk=case.pk)]  # assigned, open
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    services.reassign_case(case, by=staff, assignee=None)
    rows.append(Case.objects.get(pk=case.pk))  # resolved, nobody's
    for row in rows:
        fast = CaseSerializer(row).data
        generic = serializers.ModelSerializer.to_representation(CaseSerializer(row), row)
        assert fast == generic
    assert CaseSerializer(Case.objects.get(pk=case.pk)).data["resolved_at"].endswith("Z")
