"""Home shows my exception requests still waiting and, for a manager, the oldest ones
waiting for their decision (PRODUCT.md: "my pending requests … the approvals waiting")."""

import pytest
from django.urls import reverse

from cases import services
from tests.exception_fixtures import ask
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def test_staff_home_lists_my_requests_still_waiting(
    signed_in, staff, colleague, manager, case, team, category, allowed
):
    mine = ask(case, staff, allowed, "80.00")  # above staff's 25: waits for a manager
    other_case = CaseFactory(
        team=team, category=category, customer=CustomerFactory(team=team, created_by=staff)
    )
    ask(other_case, colleague, allowed, "90.00")  # a colleague's, not mine
    decided_case = CaseFactory(
        team=team, category=category, customer=CustomerFactory(team=team, created_by=staff)
    )
    decided = ask(decided_case, staff, allowed, "70.00")
    services.decide_exception(decided, by=manager, decision="deny", reason="No")

    html = signed_in(staff).get(reverse("home")).content.decode()
    mine_section = section(html, "my-requests")
    assert case.reference in mine_section and "80.00" in mine_section
    assert other_case.reference not in mine_section
    assert decided_case.reference not in mine_section
    assert mine.exception_name in mine_section
    assert 'id="awaiting-me"' not in html  # staff decide nothing


def test_manager_home_shows_the_oldest_requests_waiting_for_them(
    signed_in, staff, manager, case, other_team, other_team_staff, category, allowed
):
    ask(case, staff, allowed, "80.00")
    theirs = CaseFactory(
        team=other_team,
        category=category,
        customer=CustomerFactory(team=other_team, created_by=other_team_staff),
    )
    ask(theirs, other_team_staff, allowed, "60.00")
    html = signed_in(manager).get(reverse("home")).content.decode()
    waiting = section(html, "awaiting-me")
    assert case.reference in waiting and f"by {staff}" in waiting
    assert theirs.reference not in waiting  # another team's request
    assert reverse("approvals") in waiting


def test_nothing_waiting_says_so(signed_in, manager):
    html = signed_in(manager).get(reverse("home")).content.decode()
    assert "No request is waiting for you." in section(html, "awaiting-me")
    assert "None of your requests is waiting" in section(html, "my-requests")


def test_manager_home_warns_of_a_surge_in_their_teams_only(
    signed_in, manager, staff, team, other_team, category
):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case

    def cases_this_week(for_team, n):
        customer = CustomerFactory(team=for_team, created_by=staff)
        for _ in range(n):
            made = CaseFactory(
                team=for_team, customer=customer, category=category, created_by=staff
            )
            Case.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(days=2))

    client = signed_in(manager)
    cases_this_week(other_team, 6)
    assert 'id="surge-alert"' not in client.get(reverse("home")).content.decode()
    cases_this_week(team, 5)
    page = client.get(reverse("home")).content.decode()
    assert 'id="surge-alert"' in page and "Refund dispute — 5 cases in the last 7 days" in page
