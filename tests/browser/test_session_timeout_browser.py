"""A shared counter screen left alone: after 30 idle minutes it shows the sign-in page, not
the last customer's case, says why calmly, and returns to the case after sign-in.

The server's clock is moved with time-machine (the live server runs in this process);
the page's with Playwright's clock, so nobody waits half an hour.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
CALM = "You were signed out after 30 minutes without activity"


@pytest.fixture
def server_clock():
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        yield traveller


def _sign_in_again(page: Page, user) -> None:
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()


def test_an_idle_screen_turns_into_the_sign_in_page_and_back_to_the_case(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot, server_clock
) -> None:
    page.clock.install()
    sign_in(staff)
    case_url = f"{live_server.url}{case.get_absolute_url()}"
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.subject)

    # Half an hour with nobody at the counter, on the server and in the page.
    server_clock.shift(timedelta(minutes=31))
    page.clock.fast_forward("31:00")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/"))
    expect(page.get_by_role("alert")).to_contain_text(CALM)
    expect(page.get_by_role("main")).not_to_contain_text(case.subject)
    expect(page.get_by_role("main")).not_to_contain_text(case.customer.name)
    shot("signed-out-after-inactivity")
    page.set_viewport_size(PHONE)
    shot("signed-out-after-inactivity-phone")

    _sign_in_again(page, staff)
    expect(page).to_have_url(case_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.subject)
    watch.assert_clean()


def test_an_htmx_form_sent_after_the_limit_loads_the_sign_in_page_whole(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot, server_clock
) -> None:
    sign_in(staff)
    case_url = f"{live_server.url}{case.get_absolute_url()}"
    page.goto(case_url)
    server_clock.shift(timedelta(minutes=31))

    panel = page.locator("#interaction-panel")
    panel.get_by_label("Summary").fill("Rang back about the fridge")
    panel.get_by_role("button", name="Log interaction").click()

    # The whole page is the sign-in page: not a sign-in form swapped into the panel.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to CaseDesk")
    expect(page.get_by_role("alert")).to_contain_text(CALM)
    expect(page.locator("#interaction-panel")).to_have_count(0)
    shot("htmx-call-after-the-limit")

    _sign_in_again(page, staff)
    expect(page).to_have_url(case_url)
    assert case.interactions.count() == 0
    watch.assert_clean()
