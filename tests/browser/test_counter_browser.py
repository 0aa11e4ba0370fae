"""At the counter: logging an interaction in few actions, by mouse and by keyboard alone,
the shortcuts overlay, and switching shortcuts off. Real Chromium, against live_server.

An *action* is one thing the person does: a click, typing into a field (however long the
text), or one key (or chord, like Ctrl+Enter) pressed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .pages import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ready(page: Page) -> None:
    """Wait until the page's scripts have run: a key pressed before then is the browser's,
    and a busy machine can paint the page well before its scripts arrive."""
    page.wait_for_load_state("load")


def _timeline(page: Page):
    return page.locator("#timeline")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_logging_an_interaction_takes_two_actions_when_the_defaults_fit(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot, width: str
) -> None:
    sign_in(staff)  # at desktop width, where the fixture finds "Sign out" in the menu
    _ready(page)
    if width == "phone":
        page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    panel = page.locator("#interaction-panel")
    actions = 0

    panel.get_by_label("Summary").fill("Customer called back; agreed a collection slot.")
    actions += 1
    panel.get_by_role("button", name="Log interaction").click()
    actions += 1

    expect(panel.get_by_role("status")).to_have_text("Interaction logged.")
    expect(_timeline(page)).to_contain_text("agreed a collection slot")
    shot(f"{width}-logged")
    assert actions <= 3
    assert case.interactions.count() == 1


def test_logging_an_interaction_by_keyboard_alone_with_the_shortcuts(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)
    _ready(page)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    summary = page.locator("#interaction-panel").get_by_label("Summary")
    actions = 0

    page.keyboard.press("l")
    actions += 1
    expect(summary).to_be_focused()
    page.keyboard.type("Explained the returns policy; customer happy with store credit.")
    actions += 1
    # "l" typed into the summary is text, not the shortcut.
    expect(summary).to_have_value(re.compile("^Explained the returns policy"))
    shot("typed")
    page.keyboard.press("Control+Enter")
    actions += 1

    expect(page.locator("#interaction-panel").get_by_role("status")).to_have_text(
        "Interaction logged."
    )
    expect(_timeline(page)).to_contain_text("happy with store credit")
    # Ready for the next contact: the cursor is back in an empty summary.
    expect(page.locator("#interaction-panel").get_by_label("Summary")).to_be_focused()
    shot("logged")
    assert actions <= 3
    assert case.interactions.get().summary.startswith("Explained the returns policy")


def test_the_skip_link_on_a_case_page_lands_on_the_interaction_form(
    page: Page, live_server, staff, case, guidance, watch, sign_in
) -> None:
    sign_in(staff)
    _ready(page)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the interaction form")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#interaction-panel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#interaction-panel").get_by_label("Channel")).to_be_focused()


def test_shortcuts_overlay_lists_them_and_the_keys_go_where_it_says(
    page: Page, live_server, staff, watch, sign_in, shot
) -> None:
    sign_in(staff)
    _ready(page)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Search cases and customers")
    # Staff have no approvals queue, so no "a" in their list.
    expect(dialog).not_to_contain_text("Approvals queue")
    shot("overlay")
    # Bootstrap moves focus into the dialog once it has finished opening; Escape before
    # that is ignored, as it is for anyone pressing it mid-animation.
    expect(page.locator("#shortcuts-dialog")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("g")
    page.keyboard.press("c")
    expect(page).to_have_url(f"{live_server.url}/cases/")
    _ready(page)
    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    _ready(page)
    page.keyboard.press("g")
    page.keyboard.press("h")
    expect(page).to_have_url(f"{live_server.url}/")
    _ready(page)

    # "a" is for managers: nothing happens for staff.
    page.keyboard.press("a")
    page.keyboard.press("/")
    search = page.get_by_role("combobox", name="Search cases and customers")
    expect(search).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}/")
    _ready(page)
    # Typing in the search box is text: "n" and "g c" do nothing there.
    page.keyboard.type("ngc")
    expect(search).to_have_value("ngc")
    expect(page).to_have_url(f"{live_server.url}/")
    _ready(page)
    page.keyboard.press("Escape")
    page.locator("main h1").click()
    # With a modifier held, a key is the browser's, not ours.
    page.keyboard.press("Alt+n")
    expect(page).to_have_url(f"{live_server.url}/")
    _ready(page)
    page.keyboard.press("n")
    expect(page).to_have_url(f"{live_server.url}/cases/new/")
    _ready(page)


def test_a_manager_goes_to_approvals_with_a_and_slash_focuses_search_on_a_phone(
    page: Page, live_server, manager, watch, sign_in, shot
) -> None:
    sign_in(manager)
    _ready(page)
    page.set_viewport_size(PHONE)
    page.keyboard.press("/")
    search = page.get_by_role("combobox", name="Search cases and customers")
    expect(search).to_be_visible()
    expect(search).to_be_focused()
    shot("search-focused")
    page.keyboard.press("Escape")
    page.locator("main h1").click()
    page.keyboard.press("a")
    expect(page).to_have_url(f"{live_server.url}/approvals/")
    _ready(page)


def test_shortcuts_switched_off_stay_off_until_switched_on_again(
    page: Page, live_server, staff, watch, sign_in, shot
) -> None:
    sign_in(staff)
    _ready(page)
    page.goto(f"{live_server.url}/tasks/")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.get_by_role("button", name="Turn shortcuts off").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    _ready(page)
    staff.refresh_from_db()
    assert staff.keyboard_shortcuts is False

    page.keyboard.press("g")
    page.keyboard.press("c")
    page.keyboard.press("?")
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    _ready(page)

    # The footer button still opens the list, where they can be switched back on.
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(dialog).to_contain_text("Shortcuts are off")
    shot("off")
    dialog.get_by_role("button", name="Turn shortcuts on").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    _ready(page)
    staff.refresh_from_db()
    assert staff.keyboard_shortcuts is True
    page.keyboard.press("g")
    page.keyboard.press("c")
    expect(page).to_have_url(f"{live_server.url}/cases/")
    _ready(page)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_guidance_for_a_flagged_customer_comes_first_on_a_phone(
    page: Page, live_server, staff, customer, case, guidance, watch, sign_in, shot, width: str
) -> None:
    customer.flags = ["disengage", "two_staff"]
    customer.save(update_fields=["flags"])
    sign_in(staff)
    _ready(page)
    if width == "phone":
        page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    guidance_box = page.locator("#guidance").bounding_box()
    form_box = page.locator("#interaction-panel").bounding_box()
    assert guidance_box is not None and form_box is not None
    shot(f"{width}-flagged")
    if width == "phone":
        # One column: the guidance sits above the interaction form.
        assert guidance_box["y"] + guidance_box["height"] <= form_box["y"]
    else:
        # Two columns: the form on the left, the guidance beside it on the right.
        assert guidance_box["x"] >= form_box["x"] + form_box["width"]
