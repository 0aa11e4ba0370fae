"""Date inputs follow the business's locale, not the browser's (issue 16, item 4).

Chromium launched in US English (`--lang=en-US`, `Accept-Language: en-US`) showed
`<input type=datetime-local>` as mm/dd/yyyy to a London counter. The inputs are now text
boxes in the business's format (cases/forms/widgets.py): the hint says dd/mm/yyyy hh:mm,
and what is typed that way is read day first.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PageWatch
from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_us_english_browser_gets_the_london_business_date_format(
    browser_type, live_server, origin, staff, colleague, case, guidance
) -> None:
    browser = browser_type.launch(
        executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--lang=en-US"]
    )
    try:
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        watch = PageWatch(origin=origin)
        page.on("console", watch.on_console)
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        context.on("request", watch.on_request)
        assert page.evaluate("navigator.language") == "en-US"

        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(staff.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        page.goto(f"{live_server.url}{case.get_absolute_url()}")
        card = page.get_by_role("region", name="Follow-up tasks")
        card.get_by_text("Add a task").click()
        due = card.get_by_label(re.compile(r"^\s*Due\b"))
        expect(due).to_have_attribute("type", "text")
        expect(due).to_have_attribute("inputmode", "numeric")
        expect(due).to_have_accessible_description(re.compile(r"dd/mm/yyyy hh:mm$"))
        expect(card.get_by_text("dd/mm/yyyy hh:mm", exact=True)).to_be_visible()

        # A day after the 12th, so a month-first reading could not even parse it.
        when = timezone.localtime() + timedelta(days=1)
        while when.day <= 12:
            when += timedelta(days=1)
        card.get_by_label("Title").fill("Ring back about the delivery day")
        due.fill(f"{when:%d/%m/%Y} 10:30")
        card.get_by_role("button", name="Add task").click()
        expect(page.locator("#messages")).to_contain_text("Task added")
        row = page.get_by_role("region", name="Follow-up tasks").get_by_role("listitem")
        expect(row).to_contain_text(f"due {when:%a} {when.day} {when:%b} 10:30")
        # The row's "move" box starts from the saved time, written the same way.
        expect(row.get_by_label("New due time")).to_have_value(f"{when:%d/%m/%Y} 10:30")
        assert not watch.page_errors and not watch.unexpected_console_errors()
        assert not watch.foreign_requests()
    finally:
        browser.close()
