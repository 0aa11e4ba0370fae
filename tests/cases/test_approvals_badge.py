"""The approvals badge on every page: from the cache, yet right after every change.

A manager moves from page to page far more often than requests are made or decided, so
the badge is kept per person; making, deciding or withdrawing a request counts it afresh
for everyone at once, in this process and (through the shared cache) in the others.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.services.exceptions import Decision
from tests.exception_fixtures import ask

pytestmark = pytest.mark.django_db


def badge(client) -> str:
    page = client.get(reverse("my_tasks")).content.decode()
    return page.split('id="approvals-badge">', 1)[1].split("<", 1)[0]


def counts(client) -> int:
    """How many queries of one page count the requests waiting."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("my_tasks"))
    return sum(
        "COUNT(" in q["sql"] and "cases_exceptionrequest" in q["sql"] for q in ctx.captured_queries
    )


def test_the_badge_is_counted_once_then_served_from_the_cache(
    signed_in, staff, manager, case, allowed
):
    ask(case, staff, allowed)
    client = signed_in(manager)
    assert counts(client) == 1
    assert counts(client) == 0, "the second page reads the badge from the cache"
    assert badge(client) == "1"


def test_a_new_request_a_decision_and_a_withdrawal_show_on_the_next_page(
    signed_in, staff, manager, case, allowed, django_capture_on_commit_callbacks
):
    client = signed_in(manager)
    assert badge(client) == "0"
    with django_capture_on_commit_callbacks(execute=True):
        # Small enough that their running total stays within a manager's limit.
        first = ask(case, staff, allowed, "30.00")
        second = ask(case, staff, allowed, "30.00")
    assert badge(client) == "2"
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_exception(first, by=manager, decision=Decision.APPROVE, reason="Fair")
    assert badge(client) == "1"
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_exception(second, by=staff)
    assert badge(client) == "0"


def test_a_change_of_team_or_role_counts_afresh(
    signed_in, staff, manager, case, allowed, other_team
):
    ask(case, staff, allowed)
    client = signed_in(manager)
    assert badge(client) == "1"
    manager.teams.set([other_team])
    assert badge(client) == "0", "the other team's queue is empty"


def test_with_no_cache_time_every_page_counts(signed_in, staff, manager, case, allowed, settings):
    settings.CASEDESK_APPROVALS_BADGE_SECONDS = 0
    ask(case, staff, allowed, Decimal("80.00"))
    client = signed_in(manager)
    assert counts(client) == 1
    assert counts(client) == 1
