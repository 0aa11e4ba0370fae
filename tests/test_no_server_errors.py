"""Property-based: whatever a person types into any form or filter, the answer is never
a server error (issue 11, item 5). Hypothesis makes the input: text, numbers, dates and
date-times from year 1 to 9999, and the edge values that broke before.

Kept fast: a few dozen examples per form, no deadline (the machine is shared).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import Role
from tests.exception_fixtures import ask
from tests.factories import UserFactory, add_due_tasks

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EDGES = [
    "",
    " ",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "1000-01-01T09:00",
    "1900-06-01T09:00",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "-1",
    "0",
    "1e400",
    "NaN",
    "Infinity",
    "99999999999999999999999",
    "\x00",
    "<script>alert(1)</script>",
    "x" * 5000,
]


def _datetime_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M").rjust(16, "0")


TYPED = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=40),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.datetimes().map(_datetime_text),
)


def form(*names: str) -> st.SearchStrategy[dict[str, str]]:
    """Each field typed or left out."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, TYPED))


@pytest.fixture
def world(staff, manager, admin_user, case, allowed):
    """A case with a task, a waiting request and its feedback link: every form has a target."""
    (task,) = add_due_tasks(case, staff, 1)
    request = ask(case, staff, allowed, "80.00")
    return {"case": case, "task": task, "request": request, "manager": manager}


def no_server_error(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.status_code


GET_FILTERS = {
    "case_list": (
        "status",
        "team",
        "assignee",
        "category",
        "demeanour",
        "customer",
        "priority",
        "created_after",
        "created_before",
        "updated_after",
        "updated_before",
        "o",
        "page",
        "per_page",
    ),
    "search": ("q",),
    "customer_list": ("q", "page", "per_page"),
    "insights": ("period", "start", "end", "team"),
    "my_tasks": ("page",),
    "team_tasks": ("page",),
    "study_list": ("demeanour", "category", "page", "per_page"),
    "approvals": ("page",),
}


@pytest.mark.parametrize("name", sorted(GET_FILTERS))
def test_no_filter_input_gives_a_server_error(name, signed_in, world):
    client = signed_in(world["manager"])

    @EXAMPLES
    @given(params=form(*GET_FILTERS[name]))
    def check(params):  # type: ignore[no-untyped-def]
        no_server_error(client.get(reverse(name), params))

    check()


@EXAMPLES
@given(params=form("period", "start", "end", "team"))
def test_no_insights_export_input_gives_a_server_error(params, signed_in, world):
    url = reverse("insights_export", args=["cost_to_serve"])
    no_server_error(signed_in(world["manager"]).get(url, params))


# (url name, args from the world, fields, who posts)
POST_FORMS = [
    (
        "customer_create",
        None,
        (
            "name",
            "email",
            "phone",
            "preferred_channel",
            "team",
            "preferences",
            "flags",
            "create_anyway",
        ),
        "staff",
    ),
    (
        "case_create",
        None,
        (
            "customer",
            "customer_name",
            "customer_email",
            "customer_phone",
            "team",
            "subject",
            "category",
            "channel",
            "priority",
            "demeanour",
            "first_summary",
            "first_minutes",
            "assign_to_me",
        ),
        "staff",
    ),
    (
        "case_log_interaction",
        "case",
        ("channel", "direction", "summary", "demeanour", "minutes", "promise", "promise_due_at"),
        "staff",
    ),
    ("case_add_task", "case", ("title", "kind", "assignee", "due_at"), "staff"),
    ("task_reschedule", "task", ("due_at",), "staff"),
    ("task_complete", "task", ("outcome_note",), "staff"),
    ("case_triage", "case", ("priority", "demeanour"), "staff"),
    ("case_reassign", "case", ("assignee",), "staff"),
    (
        "case_resolve",
        "case",
        ("outcome", "summary", "email_customer", "reflection", "next_step"),
        "staff",
    ),
    (
        "case_request_exception",
        "case",
        ("allowed_exception", "policy", "value", "customer_ask", "justification"),
        "staff",
    ),
    ("request_decide", "request", ("decision", "counter_value", "reason", "next"), "manager"),
    (
        "policy_create",
        None,
        (
            "code",
            "title",
            "category",
            "customer_wording",
            "internal_notes",
            "effective_from",
            "effective_to",
            "active",
        ),
        "admin",
    ),
]


def _args(world, key):  # type: ignore[no-untyped-def]
    if key is None:
        return []
    target = world[key]
    return [target.reference] if key == "case" else [target.pk]


@pytest.mark.parametrize(("name", "target", "fields", "who"), POST_FORMS, ids=lambda v: str(v))
def test_no_form_input_gives_a_server_error(
    name, target, fields, who, signed_in, world, staff, admin_user
):
    user = {"staff": staff, "manager": world["manager"], "admin": admin_user}[who]
    client = signed_in(user)
    url = reverse(name, args=_args(world, target))

    @EXAMPLES
    @given(data=form(*fields))
    def check(data):  # type: ignore[no-untyped-def]
        no_server_error(client.post(url, data))

    check()


def test_a_second_manager_can_still_decide(world, admin_user):
    """The world's request is still there for the decide form (nothing above closed it)."""
    other = UserFactory(role=Role.MANAGER, teams=[world["case"].team])
    decided = services.decide_exception(
        world["request"], by=other, decision="deny", reason="checked"
    )
    assert decided.decided_at <= datetime.now(UTC)
