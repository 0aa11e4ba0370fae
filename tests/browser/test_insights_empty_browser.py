"""An empty Follow-through chart says "Nothing to chart", as Satisfaction does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import FollowUpTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_through_with_nothing_done_or_overdue_says_nothing_to_chart(
    page: Page, live_server, manager, staff, case, watch, sign_in, shot
) -> None:
    FollowUpTask.objects.create(
        case=case,
        title="Call back",
        kind="call_back",
        assignee=staff,
        due_at=timezone.now() + timedelta(hours=2),
        created_by=staff,
    )
    sign_in(manager)
    page.goto(f"{live_server.url}/insights/?period=7")
    section = page.locator("section[aria-labelledby=ins-follow]")
    expect(section.get_by_text("Nothing to chart in this period.")).to_be_visible()
    expect(section.locator("canvas")).to_have_count(0)
    expect(section.locator("#table-follow_through")).to_contain_text("Sam Staff")
    satisfaction = page.locator("section[aria-labelledby=ins-satisfaction]")
    expect(satisfaction.get_by_text("Nothing to chart in this period.")).to_be_visible()
    shot("empty-charts")
    watch.assert_clean()
