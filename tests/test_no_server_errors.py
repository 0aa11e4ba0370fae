"""Property-based: whatever a person types into any form or filter, the answer is never
a server error (issue 11, item 5). Hypothesis makes the input: text, numbers, dates and
date-times from year 1 to 9999, and the edge values that broke before.

Kept fast: a few dozen examples per form, no deadline (the machine is shared).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cases import services
from cases.services.followups import feedback_token
from tests.exception_fixtures import ask
from tests.factories import add_due_tasks

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=25,
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


# The ranges that overflowed before (a random search rarely lands both ends in one year).
YEAR_9999_RANGE = {
    "period": "custom",
    "start": "9999-12-30",
    "end": "9999-12-31",
    "created_after": "9999-12-30",
    "created_before": "9999-12-31",
}
YEAR_1_RANGE = {
    "period": "custom",
    "start": "0001-01-01",
    "end": "0001-01-02",
    "created_after": "0001-01-01",
    "updated_before": "0001-01-02",
}


def form(*names: str, valid: dict[str, str] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """Each field typed, left out, or (where known) a valid value: most examples then pass
    the other fields and reach the one under test, and the service behind the form."""
    valid = valid or {}
    fields = {
        name: st.one_of(st.just(valid[name]), TYPED) if name in valid else TYPED for name in names
    }
    return st.fixed_dictionaries({}, optional=fields)


def valid_values(world) -> dict[str, str]:
    """A valid value for the fields most forms share, in this world."""
    case = world["case"]
    soon = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "Call back",
        "kind": "call_back",
        "assignee": str(case.assignee_id),
        "due_at": soon,
        "promise_due_at": soon,
        "promise": "Call back with the part number",
        "channel": "phone",
        "direction": "inbound",
        "summary": "Spoke to the customer",
        "demeanour": "calm",
        "minutes": "5",
        "priority": "normal",
        "outcome": "compromise",
        "reason": "Checked with the store",
        "value": "20.00",
        "customer_ask": "Money back",
        "justification": "Our mistake",
        "allowed_exception": str(world["request"].allowed_exception_id),
        "decision": "approve",
        "period": "custom",
        "start": "2026-01-01",
        "end": "2026-02-01",
        "effective_from": "2026-01-01",
        "name": "Dana Whitfield",
        "team": str(case.team_id),
    }


@pytest.fixture
def world(staff, manager, admin_user, case, allowed, policy, guidance):
    """A case with a task and a waiting request: every form has a target."""
    (task,) = add_due_tasks(case, staff, 1)
    request = ask(case, staff, allowed, "80.00")
    return {
        "case": case,
        "customer": case.customer,
        "task": task,
        "request": request,
        "policy": policy,
        "manager": manager,
    }


@EXAMPLES
@given(data=form("rating", "comment"))
def test_no_feedback_input_gives_a_server_error(data, client, world):
    feedback = services.schedule_feedback(world["case"], send_at=timezone.now())
    assert feedback is not None
    no_server_error(client.post(reverse("feedback", args=[feedback_token(feedback)]), data))


def no_server_error(response) -> None:
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
    @given(params=form(*GET_FILTERS[name], valid=valid_values(world)))
    @example(params=YEAR_9999_RANGE)
    @example(params=YEAR_1_RANGE)
    def check(params):
        no_server_error(client.get(reverse(name), params))

    check()


@EXAMPLES
@given(params=form("period", "start", "end", "team"))
@example(params=YEAR_9999_RANGE)
@example(params=YEAR_1_RANGE)
def test_no_insights_export_input_gives_a_server_error(params, signed_in, world):
    url = reverse("insights_export", args=["cost_to_serve"])
    no_server_error(signed_in(world["manager"]).get(url, params))


# (url name, what the URL points at, fields, who posts). Fields of the forms shown once
# per task or request on a page carry its prefix ("t12-due_at"): PREFIXED says which.
POST_FORMS = [
    (
        "customer_create",
        None,
        "name email phone preferred_channel team preferences flags flags_reason create_anyway",
        "staff",
    ),
    (
        "customer_edit",
        "customer",
        "name email phone preferred_channel team preferences flags flags_reason",
        "staff",
    ),
    (
        "case_create",
        None,
        "customer customer_name customer_email customer_phone team subject "
        "category channel priority demeanour first_summary first_minutes assign_to_me",
        "staff",
    ),
    (
        "case_log_interaction",
        "case",
        "channel direction summary demeanour minutes promise promise_due_at",
        "staff",
    ),
    ("case_add_task", "case", "title kind assignee due_at", "staff"),
    ("task_reschedule", "task", "due_at", "staff"),
    ("task_complete", "task", "outcome_note", "staff"),
    ("task_cancel", "task", "reason", "staff"),
    ("case_triage", "case", "priority demeanour", "staff"),
    ("case_reassign", "case", "assignee", "staff"),
    ("case_resolve", "case", "outcome summary email_customer reflection next_step", "staff"),
    ("case_reopen", "case", "reason", "staff"),
    ("case_mark_study", "case", "kind title write_up", "manager"),
    (
        "case_request_exception",
        "case",
        "allowed_exception policy value customer_ask justification",
        "staff",
    ),
    ("request_decide", "request", "decision counter_value reason", "manager"),
    (
        "policy_create",
        None,
        "code title category customer_wording internal_notes effective_from effective_to active",
        "admin",
    ),
    (
        "policy_edit",
        "policy",
        "title category customer_wording internal_notes effective_from "
        "effective_to active change_note",
        "admin",
    ),
    (
        "exception_create",
        "policy",
        "name kind max_value staff_limit manager_limit customer_window_days guidance active",
        "admin",
    ),
    ("guidance_edit", "demeanour", "headline listen de_escalate boundaries escalate", "admin"),
]
PREFIXED = {"task_reschedule": "t", "task_complete": "t", "request_decide": "r"}


def _args(world, key):
    if key is None:
        return []
    if key == "demeanour":
        return ["angry"]
    target = world[key]
    if key == "case":
        return [target.reference]
    return [target.code] if key == "policy" else [target.pk]


@pytest.mark.parametrize(
    ("name", "target", "fields", "who"), POST_FORMS, ids=[f[0] for f in POST_FORMS]
)
def test_no_form_input_gives_a_server_error(
    name, target, fields, who, signed_in, world, staff, admin_user
):
    user = {"staff": staff, "manager": world["manager"], "admin": admin_user}[who]
    client = signed_in(user)
    args = _args(world, target)
    url = reverse(name, args=args)
    prefix = f"{PREFIXED[name]}{args[0]}-" if name in PREFIXED else ""

    @EXAMPLES
    @given(data=form(*fields.split(), valid=valid_values(world)))
    def check(data):
        no_server_error(client.post(url, {f"{prefix}{k}": v for k, v in data.items()}))

    check()
