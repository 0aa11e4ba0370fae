"""Bulk actions: all or nothing, one timeline event per change per case, a fixed number of
queries whatever the number of cases, and only managers (of the cases' teams)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, EventKind, Priority, Status, User
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def make_cases(n, *, team, by, category, **fields):
    customer = CustomerFactory(team=team, created_by=by)
    return [
        CaseFactory(team=team, customer=customer, created_by=by, category=category, **fields)
        for _ in range(n)
    ]


def events(kind):
    return CaseEvent.objects.filter(kind=kind)


def test_bulk_assign_changes_each_case_with_its_own_event(
    manager, staff, colleague, team, category
):
    cases = make_cases(3, team=team, by=staff, category=category, assignee=staff)
    result = services.bulk_assign(by=manager, case_ids=[c.pk for c in cases], assignee=colleague)
    assert sorted(result.changed) == sorted(c.reference for c in cases)
    assert set(Case.objects.values_list("assignee", flat=True)) == {colleague.pk}
    assigned = events(EventKind.ASSIGNEE)
    assert sorted(e.case_id for e in assigned) == sorted(c.pk for c in cases)
    assert {(e.actor_id, e.from_value, e.to_value) for e in assigned} == {
        (manager.pk, str(staff), str(colleague))
    }


def test_a_case_already_with_the_assignee_gets_no_event(manager, staff, colleague, team, category):
    mine = make_cases(1, team=team, by=staff, category=category, assignee=colleague)
    theirs = make_cases(1, team=team, by=staff, category=category, assignee=staff)
    result = services.bulk_assign(
        by=manager, case_ids=[mine[0].pk, theirs[0].pk], assignee=colleague
    )
    assert result.changed == [theirs[0].reference] and result.unchanged == [mine[0].reference]
    assert events(EventKind.ASSIGNEE).count() == 1


def test_one_closed_case_refuses_the_whole_action_by_reference(
    manager, staff, colleague, team, category
):
    cases = make_cases(3, team=team, by=staff, category=category, assignee=staff)
    Case.objects.filter(pk=cases[1].pk).update(
        status=Status.CLOSED, outcome="compromise", resolved_at=cases[1].created_at
    )
    with pytest.raises(services.BulkRefused) as refused:
        services.bulk_assign(by=manager, case_ids=[c.pk for c in cases], assignee=colleague)
    assert refused.value.problems == {cases[1].reference: f"{cases[1].reference} is closed"}
    assert cases[1].reference in str(refused.value)
    assert set(Case.objects.values_list("assignee", flat=True)) == {staff.pk}
    assert not events(EventKind.ASSIGNEE).exists()


def test_an_assignee_outside_a_cases_team_refuses_the_action(
    manager, staff, other_team_staff, team, category
):
    cases = make_cases(2, team=team, by=staff, category=category)
    with pytest.raises(services.BulkRefused) as refused:
        services.bulk_assign(by=manager, case_ids=[c.pk for c in cases], assignee=other_team_staff)
    assert set(refused.value.problems) == {c.reference for c in cases}
    assert not Case.objects.filter(assignee=other_team_staff).exists()


def test_another_teams_case_is_reported_not_found_and_nothing_changes(
    manager, staff, other_team, other_team_staff, team, category
):
    ours = make_cases(2, team=team, by=staff, category=category)
    theirs = make_cases(1, team=other_team, by=other_team_staff, category=category)[0]
    with pytest.raises(services.BulkRefused) as refused:
        services.bulk_set_priority(
            by=manager, case_ids=[ours[0].pk, ours[1].pk, theirs.pk], priority=Priority.URGENT
        )
    assert refused.value.problems == {theirs.reference: f"{theirs.reference} not found"}
    assert not Case.objects.filter(priority=Priority.URGENT).exists()
    assert not events(EventKind.PRIORITY).exists()


def test_bulk_priority_sets_priority_and_its_rank(manager, staff, team, category):
    cases = make_cases(2, team=team, by=staff, category=category)
    services.bulk_set_priority(by=manager, case_ids=[c.pk for c in cases], priority="urgent")
    assert set(Case.objects.values_list("priority", "priority_rank")) == {("urgent", 4)}
    assert events(EventKind.PRIORITY).count() == 2


def test_bulk_close_closes_resolved_cases_and_refuses_an_open_one(manager, staff, team, category):
    resolved = make_cases(2, team=team, by=staff, category=category)
    for case in resolved:
        services.resolve_case(case, by=staff, outcome="compromise", summary="credit")
    still_open = make_cases(1, team=team, by=staff, category=category)[0]
    with pytest.raises(services.BulkRefused) as refused:
        services.bulk_close(by=manager, case_ids=[*(c.pk for c in resolved), still_open.pk])
    assert refused.value.problems == {
        still_open.reference: f"{still_open.reference} is new, not resolved"
    }
    assert not Case.objects.filter(status=Status.CLOSED).exists()

    services.bulk_close(by=manager, case_ids=[c.pk for c in resolved])
    assert Case.objects.filter(status=Status.CLOSED).count() == 2
    closed = events(EventKind.CLOSED)
    assert sorted(e.case_id for e in closed) == sorted(c.pk for c in resolved)
    assert all(c.closed_at for c in Case.objects.filter(status=Status.CLOSED))


def test_staff_may_not_act_in_bulk(staff, team, category):
    cases = make_cases(1, team=team, by=staff, category=category)
    with pytest.raises(services.NotAllowed):
        services.bulk_set_priority(by=staff, case_ids=[cases[0].pk], priority="high")


def test_more_than_a_page_of_cases_is_refused(manager):
    with pytest.raises(services.NotAllowed, match="at most 100"):
        services.bulk_close(by=manager, case_ids=range(1, 102))


@pytest.mark.parametrize(
    "action",
    [
        lambda by, ids, other: services.bulk_assign(by=by, case_ids=ids, assignee=other),
        lambda by, ids, other: services.bulk_set_priority(by=by, case_ids=ids, priority="high"),
        lambda by, ids, other: services.bulk_close(by=by, case_ids=ids),
    ],
    ids=["assign", "priority", "close"],
)
def test_queries_are_the_same_for_25_and_100_cases(
    action, manager, staff, colleague, team, category
):
    from webhooks.emit import subscribers

    # The webhook subscriber list is cached after the first event, as on a running server.
    subscribers()

    def run(n: int) -> int:
        cases = make_cases(
            n,
            team=team,
            by=staff,
            category=category,
            status=Status.RESOLVED,
            outcome="compromise",
            resolved_at=timezone.now(),
        )
        ids = [c.pk for c in cases]
        with CaptureQueriesContext(connection) as ctx:
            # A fresh user, as each request has: its team ids are fetched in the count.
            action(User.objects.get(pk=manager.pk), ids, colleague)
        assert CaseEvent.objects.filter(case_id__in=ids).count() == n
        sqls = [query["sql"] for query in ctx.captured_queries]
        # SQLite takes at most 999 parameters a statement, so Django sends one bulk insert
        # of many rows there as several batches; PostgreSQL takes it in one.
        return sum(
            1 for i, sql in enumerate(sqls) if not _next_batch(sql, sqls[i - 1] if i else "")
        )

    assert run(25) == run(100)


def _next_batch(sql: str, previous: str) -> bool:
    """A further batch of the bulk insert before it (SQLite only: on PostgreSQL every
    INSERT counts, so an insert per row still fails the test there)."""
    if connection.vendor != "sqlite" or not sql.startswith("INSERT INTO"):
        return False
    return sql.split("(", 1)[0] == previous.split("(", 1)[0]


# The endpoint -------------------------------------------------------------------------


def test_staff_see_no_checkboxes_and_get_403(signed_in, staff, team, category):
    make_cases(2, team=team, by=staff, category=category)
    client = signed_in(staff)
    page = client.get(reverse("case_list")).content.decode()
    assert 'name="case"' not in page and "bulk-actions" not in page
    case = Case.objects.first()
    response = client.post(
        reverse("case_bulk"), {"case": [case.pk], "action": "priority", "priority": "urgent"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).priority == "normal"


def test_anonymous_is_sent_to_sign_in(client, manager, staff, team, category):
    case = make_cases(1, team=team, by=staff, category=category)[0]
    response = client.post(reverse("case_bulk"), {"case": [case.pk], "action": "close"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_manager_sees_a_labelled_checkbox_per_case(signed_in, manager, staff, team, category):
    cases = make_cases(2, team=team, by=staff, category=category)
    page = signed_in(manager).get(reverse("case_list")).content.decode()
    for case in cases:
        assert f'value="{case.pk}" form="bulk-actions" aria-label="Select {case.reference}"' in page
    assert 'aria-label="Select every case on this page"' in page


def test_manager_assigns_from_the_list_and_returns_to_it(
    signed_in, manager, staff, colleague, team, category
):
    cases = make_cases(2, team=team, by=staff, category=category)
    client = signed_in(manager)
    response = client.post(
        reverse("case_bulk"),
        {
            "case": [c.pk for c in cases],
            "action": "assign",
            "assignee": colleague.pk,
            "next": "/cases/?status=new",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/cases/?status=new"
    assert "Reassigned 2 cases" in response.content.decode()
    assert set(Case.objects.values_list("assignee", flat=True)) == {colleague.pk}


def test_a_refusal_names_the_case_and_keeps_the_selection(
    signed_in, manager, staff, team, category, other_team, other_team_staff
):
    ours = make_cases(1, team=team, by=staff, category=category)[0]
    theirs = make_cases(1, team=other_team, by=other_team_staff, category=category)[0]
    client = signed_in(manager)
    response = client.post(
        reverse("case_bulk"),
        {"case": [ours.pk, theirs.pk], "action": "priority", "priority": "high", "next": "/cases/"},
        follow=True,
    )
    page = response.content.decode()
    assert f"{theirs.reference} not found" in page
    assert (
        f'value="{ours.pk}" form="bulk-actions" aria-label="Select {ours.reference}" checked'
        in page
    )
    assert Case.objects.get(pk=theirs.pk).priority == "normal"
    assert Case.objects.get(pk=ours.pk).priority == "normal"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "close"}, "Select at least one case."),
        ({"action": "assign", "assignee": ""}, "Choose who to assign the cases to."),
        ({"action": "assign", "assignee": "x'<"}, "Choose who to assign the cases to."),
        ({"action": "priority", "priority": "whenever"}, "Choose a priority."),
        ({"action": "explode"}, "Choose an action."),
        ({"action": "close", "next": "https://evil.example/"}, "Select at least one case."),
    ],
)
def test_bad_input_gets_a_message_never_an_error(signed_in, manager, data, message):
    response = signed_in(manager).post(reverse("case_bulk"), {"case": ["abc"], **data})
    assert response.status_code == 302
    assert response["Location"].startswith("/cases/")
    page = signed_in(manager).get(response["Location"]).content.decode()
    assert message in page


def test_an_assignee_from_another_team_is_not_offered_nor_taken(
    signed_in, manager, staff, team, category, other_team_staff
):
    case = make_cases(1, team=team, by=staff, category=category)[0]
    client = signed_in(manager)
    assert str(other_team_staff) not in client.get(reverse("case_list")).content.decode()
    client.post(
        reverse("case_bulk"),
        {"case": [case.pk], "action": "assign", "assignee": other_team_staff.pk},
    )
    assert Case.objects.get(pk=case.pk).assignee_id is None
