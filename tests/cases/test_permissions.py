"""Who may do what (cases/permissions.py): the matrix of roles and case statuses, the
moves taken from ALLOWED_TRANSITIONS, and the pages and buttons that follow it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cases import permissions, services
from cases.models import Status
from tests.exception_fixtures import ask

pytestmark = pytest.mark.django_db

WORK = {"log_interaction", "reassign", "triage", "attach_policy", "add_task"}

# Status → what staff may do on a case in it (managers add "mark_study" when settled).
STAFF_ACTIONS = {
    Status.NEW: WORK | {"request_exception", "resolve"},
    Status.OPEN: WORK | {"request_exception", "resolve"},
    Status.PENDING_APPROVAL: WORK | {"request_exception"},
    Status.RESOLVED: WORK | {"reopen"},
    Status.CLOSED: set(),
}


@pytest.mark.parametrize("status", list(STAFF_ACTIONS))
def test_staff_actions_follow_the_case_status(staff, case, status):
    case.status = status
    assert permissions.allowed_actions(staff, case) == STAFF_ACTIONS[status]


@pytest.mark.parametrize("status", list(STAFF_ACTIONS))
def test_managers_may_also_mark_settled_cases_as_studies(manager, admin_user, case, status):
    case.status = status
    settled = status in {Status.RESOLVED, Status.CLOSED}
    for user in (manager, admin_user):
        expected = STAFF_ACTIONS[status] | ({"mark_study"} if settled else set())
        assert permissions.allowed_actions(user, case) == expected


def test_a_case_already_a_study_cannot_be_marked_again(staff, manager, case):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Credit agreed")
    services.mark_case_study(case, by=manager, kind="went_well", title="Calm", write_up="Ok")
    case.refresh_from_db()
    assert "mark_study" not in permissions.allowed_actions(manager, case)


def test_resolve_and_reopen_are_asked_of_allowed_transitions(staff, case, monkeypatch):
    """No status list of its own: a new move in ALLOWED_TRANSITIONS shows the button."""
    case.status = Status.PENDING_APPROVAL
    assert not permissions.can_resolve(staff, case)
    monkeypatch.setitem(
        services.ALLOWED_TRANSITIONS, Status.PENDING_APPROVAL, {Status.OPEN, Status.RESOLVED}
    )
    assert permissions.can_resolve(staff, case)
    case.status = Status.CLOSED
    assert not permissions.can_reopen(staff, case)
    monkeypatch.setitem(services.ALLOWED_TRANSITIONS, Status.CLOSED, {Status.OPEN})
    assert permissions.can_reopen(staff, case)


def test_page_level_questions_by_role(staff, manager, admin_user):
    questions = (
        permissions.is_manager_or_admin,
        permissions.can_see_insights,
        permissions.can_see_team_tasks,
        permissions.can_see_approvals,
    )
    for question in questions:
        assert not question(AnonymousUser())
        assert not question(staff)
        assert question(manager)
        assert question(admin_user)


def test_who_may_decide_and_withdraw_a_request(
    staff, colleague, manager, admin_user, other_team_manager, case, allowed
):
    pending = ask(case, staff, allowed)  # 80: above staff's 25, within a manager's 100
    assert permissions.can_decide(manager, pending)
    assert permissions.can_decide(admin_user, pending)
    assert not permissions.can_decide(staff, pending)  # the requester
    assert not permissions.can_decide(colleague, pending)  # staff
    assert not permissions.can_decide(other_team_manager, pending)
    assert permissions.can_withdraw(staff, pending)
    assert not permissions.can_withdraw(manager, pending)
    services.withdraw_exception(pending, by=staff)
    pending.refresh_from_db()
    assert not permissions.can_decide(manager, pending)
    assert not permissions.can_withdraw(staff, pending)


def _buttons(client, case) -> set[str]:
    html = client.get(case.get_absolute_url()).content.decode()
    return set(re.findall(r'id="action-(\w+)"', html))


def test_case_page_offers_resolve_then_reopen(signed_in, staff, case):
    client = signed_in(staff)
    assert _buttons(client, case) == {"reassign", "triage", "exception", "resolve"}
    services.resolve_case(case, by=staff, outcome="compromise", summary="Credit agreed")
    assert _buttons(client, case) == {"reassign", "triage", "reopen"}


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [("insights", "Insights"), ("approvals", "Approvals"), ("team_tasks", "My teams' tasks")],
)
def test_manager_pages_refuse_staff(signed_in, staff, manager, url_name, heading):
    assert signed_in(staff).get(reverse(url_name)).status_code == 403
    response = signed_in(manager).get(reverse(url_name))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_navigation_shows_insights_and_team_tasks_to_managers_only(signed_in, staff, manager):
    insights_link = f'href="{reverse("insights")}"'
    team_link = f'href="{reverse("team_tasks")}"'
    staff_page = signed_in(staff).get(reverse("my_tasks")).content.decode()
    assert insights_link not in staff_page and team_link not in staff_page
    manager_page = signed_in(manager).get(reverse("my_tasks")).content.decode()
    assert insights_link in manager_page and team_link in manager_page


def test_templates_ask_the_same_questions(staff, manager, case):
    from django.template import engines

    page = engines["django"].from_string(
        '{% load casedesk %}{% case_actions case as actions %}{% if "resolve" in actions %}'
        'resolve{% endif %}|{% if user|can:"see_insights" %}insights{% endif %}'
    )
    assert page.render({"user": staff, "case": case}) == "resolve|"
    assert page.render({"user": manager, "case": case}) == "resolve|insights"
    services.resolve_case(case, by=staff, outcome="compromise", summary="Credit agreed")
    assert page.render({"user": manager, "case": case}) == "|insights"
