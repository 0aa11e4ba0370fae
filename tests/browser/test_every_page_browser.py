"""Every main page at desktop and phone width: axe-core finds nothing serious, and a phone
never scrolls sideways, shows the first case's status and priority, and has tap targets a
thumb can hit. Screenshots of each page go to test-artifacts/screenshots/.

One test per width walks all the pages (signing in as staff, a manager and an admin in
turn) and reports every problem at once, so a failure lists the whole work to do.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .pages import DESKTOP, PHONE, axe_problems, main_pages, phone_problems, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "casedesk-demo"


def _become(page: Page, base: str, who: str | None, now: str | None) -> None:
    if who == now:
        return
    page.context.clear_cookies()
    if who is None:
        return
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(who)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_main_page_passes_axe_and_fits_the_screen(
    page: Page, live_server, watch, shot, width: str
) -> None:
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    pages = main_pages(seed())
    problems: list[str] = []
    signed_in_as: str | None = None
    for main_page in pages:
        _become(page, live_server.url, main_page.who, signed_in_as)
        signed_in_as = main_page.who
        response = page.goto(live_server.url + main_page.path())
        assert response is not None and response.status == 200, (main_page.name, response)
        shot(f"{width}-{main_page.name}")
        found = axe_problems(page)
        if width == "phone":
            found += phone_problems(page, case_table=main_page.case_table)
        problems += [f"{main_page.name}: {problem}" for problem in found]
    assert not problems, "\n".join(["", *problems])
    watch.assert_clean()
