"""The case workflow in a real browser (Chromium through Playwright), against live_server.

Every test signs in through the login form, and `watch` (tests/browser/conftest.py)
asserts no console error, no uncaught script error, no CSP violation and no request off
the live server. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from policies.defaults import DEMEANOUR_GUIDANCE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANGRY_HEADLINE = DEMEANOUR_GUIDANCE["angry"]["headline"]
CALM_HEADLINE = DEMEANOUR_GUIDANCE["calm"]["headline"]
REFERENCE_URL = re.compile(r"/cases/(CD-\d+)/$")


def _main(page: Page):
    return page.get_by_role("main")


def _status_badge(page: Page):
    return page.locator("#case-header .badge[class*='status-']")


def _reference(page: Page) -> str:
    match = REFERENCE_URL.search(page.url)
    assert match, f"not on a case page: {page.url}"
    return match.group(1)


def _count_document_loads(page: Page) -> list[str]:
    """Main-frame navigations from now on (an htmx swap must not add one)."""
    loads: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame == page.main_frame else None,
    )
    return loads


# 1. The whole life of a case ----------------------------------------------------------


def test_staff_creates_customer_opens_case_logs_resolves_and_reopens(
    page: Page, live_server, staff, category, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)

    # Customers → New customer.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page).to_have_url(f"{live_server.url}/customers/")
    page.get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New customer")
    form = _main(page)
    form.get_by_label("Name").fill("Priya Patel")
    form.get_by_label("Email").fill("priya.patel@example.com")
    form.get_by_label("Phone").fill("+44 7700 900123")
    form.get_by_label("Preferred channel").select_option(label="Email")
    form.get_by_label("Notes on preferences").fill("Prefers emails after 6 pm.")
    shot("new-customer-form")
    form.get_by_role("button", name="Save customer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Patel")
    expect(page.locator("#messages")).to_contain_text("Customer Priya Patel saved.")
    expect(_main(page)).to_contain_text("priya.patel@example.com")
    shot("customer-profile")

    # The customer page's "New case" button presets the customer.
    _main(page).get_by_role("link", name="New case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New case for Priya Patel")
    form = _main(page)
    form.get_by_label("Subject").fill("Washing machine returned with a dent")
    form.get_by_label("Category").select_option(label="Refund dispute")
    form.get_by_label("First contact by").select_option(label="Phone")
    form.get_by_label("Priority").select_option(label="High")
    form.get_by_label("Demeanour").select_option(label="Calm")
    form.get_by_role("button", name="Open case").click()

    expect(page).to_have_url(REFERENCE_URL)
    reference = _reference(page)
    expect(page.locator("#messages")).to_contain_text(f"Case {reference} opened.")
    header = page.locator("#case-header")
    expect(header).to_contain_text("Washing machine returned with a dent")
    expect(header.get_by_role("link", name="Priya Patel")).to_be_visible()
    expect(_status_badge(page)).to_have_text("New")
    expect(page.locator("#guidance")).to_contain_text(CALM_HEADLINE)
    shot("case-opened")

    # Two interactions through htmx: no page load, and panel, timeline, header and
    # guidance all follow.
    loads = _count_document_loads(page)
    page.evaluate("window.__sameDocument = true")
    panel = page.locator("#interaction-panel")
    timeline = page.locator("#timeline")

    panel.get_by_label("Channel").select_option(label="Phone")
    panel.get_by_label("Direction").select_option(label="Inbound")
    panel.get_by_label("Demeanour now").select_option(label="Calm")
    panel.get_by_label("Summary").fill("Customer called: the drum door is dented since delivery.")
    panel.get_by_label("Minutes").fill("7")
    panel.get_by_role("button", name="Log interaction").click()

    expect(panel.get_by_role("status")).to_have_text("Interaction logged.")
    expect(timeline).to_contain_text("the drum door is dented since delivery")
    expect(_status_badge(page)).to_have_text("Open")
    # A fresh form, ready for the next contact.
    expect(panel.get_by_label("Summary")).to_have_value("")

    panel.get_by_label("Channel").select_option(label="In person")
    panel.get_by_label("Demeanour now").select_option(label="Angry")
    panel.get_by_label("Summary").fill("Came to the store shouting; wants a full refund today.")
    panel.get_by_label("Minutes").fill("15")
    panel.get_by_role("button", name="Log interaction").click()

    expect(timeline).to_contain_text("wants a full refund today")
    expect(timeline.locator(".event-interaction")).to_have_count(2)
    expect(page.locator("#case-demeanour")).to_have_text("Angry")
    guidance_card = page.locator("#guidance")
    expect(guidance_card).to_contain_text("Guidance: Angry customer")
    expect(guidance_card).to_contain_text(ANGRY_HEADLINE)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert loads == [], f"logging an interaction navigated the page: {loads}"
    shot("angry-guidance")

    # The guidance is also there on a fresh load of the case page.
    page.reload()
    expect(page.locator("#guidance")).to_contain_text(ANGRY_HEADLINE)

    # Resolve, from the Actions card.
    actions = page.get_by_role("region", name="Actions")
    actions.locator("#action-resolve summary").click()
    actions.get_by_label("Outcome").select_option(label="Compromise offered")
    resolution = actions.get_by_label("Resolution summary")
    expect(
        resolution,
        "the 'Resolution summary' label must name the textarea in the Actions card "
        "(see test_case_page_fields_have_unique_ids_and_their_own_labels)",
    ).to_be_visible()
    resolution.fill("Offered 20% back as store credit; accepted.")
    actions.get_by_role("button", name="Resolve case").click()

    expect(page.locator("#messages")).to_contain_text(f"Case {reference} resolved.")
    expect(_status_badge(page)).to_have_text("Resolved")
    expect(header).to_contain_text("Compromise offered.")
    expect(header).to_contain_text("Offered 20% back as store credit; accepted.")
    expect(page.locator("#timeline .event-resolved")).to_contain_text("Offered 20% back")
    shot("resolved")

    # Reopen with a reason.
    actions = page.get_by_role("region", name="Actions")
    expect(actions.locator("#action-resolve")).to_have_count(0)
    actions.locator("#action-reopen summary").click()
    actions.get_by_label("Why reopen?").fill("Customer found a second dent on the side panel.")
    actions.get_by_role("button", name="Reopen case").click()

    expect(page.locator("#messages")).to_contain_text(f"Case {reference} reopened.")
    expect(_status_badge(page)).to_have_text("Open")
    reopened = page.locator("#timeline .event-reopened")
    expect(reopened).to_contain_text("Reopened")
    expect(reopened).to_contain_text("Customer found a second dent on the side panel.")
    expect(header).not_to_contain_text("Compromise offered.")
    shot("reopened")

    watch.assert_clean()


# 2. Another team sees nothing ----------------------------------------------------------


def test_other_team_gets_404_and_does_not_find_the_case(
    page: Page, live_server, case, other_team, other_team_staff, category, watch, sign_in, shot
) -> None:
    from cases import services
    from tests.factories import CustomerFactory

    # A case of the outsider's own team, so that the list is known to work for them.
    own_customer = CustomerFactory.create(
        name="Olive Own", team=other_team, created_by=other_team_staff
    )
    own_case = services.open_case(
        by=other_team_staff,
        customer=own_customer,
        team=other_team,
        subject="Kiosk charger stopped working",
        category=category,
        channel="in_person",
    )
    case_url = f"{live_server.url}{case.get_absolute_url()}"
    customer_url = f"{live_server.url}{case.customer.get_absolute_url()}"
    watch.allow_console(rf"status of 404 .*\[{re.escape(case_url)}\]")
    watch.allow_console(rf"status of 404 .*\[{re.escape(customer_url)}\]")

    sign_in(other_team_staff)

    response = page.goto(case_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("body")).not_to_contain_text(case.subject)
    expect(page.locator("body")).not_to_contain_text(case.customer.name)
    shot("case-404")

    response = page.goto(customer_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    cases_table = _main(page).get_by_role("table")
    expect(cases_table.get_by_role("link", name=own_case.reference)).to_be_visible()
    expect(cases_table).not_to_contain_text(case.reference)
    expect(cases_table).not_to_contain_text(case.subject)
    shot("case-list")

    search_box = page.get_by_role("combobox", name="Search cases and customers")
    for query in (case.reference, case.customer.name, "Fridge", case.customer.email):
        search_box.fill(query)
        search_box.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Search")
        # The page echoes the query; what matters is that nothing of the case shows.
        expect(_main(page)).to_contain_text("Nothing found")
        expect(_main(page)).not_to_contain_text(case.subject)
        expect(_main(page).get_by_role("link", name=case.reference)).to_have_count(0)
        expect(_main(page).get_by_role("link", name=case.customer.name)).to_have_count(0)
    shot("search-nothing")

    watch.assert_clean()


# 3. New case with a new customer, then a duplicate warning ----------------------------


def test_new_case_with_new_customer_then_duplicate_customer_warning(
    page: Page, live_server, staff, category, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="New case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New case")
    form = _main(page).locator("form[method=post]")
    form.get_by_label("Customer name").fill("Rafael Moreno")
    form.get_by_label("Customer email").fill("Rafael.Moreno@Example.com")
    form.get_by_label("Customer phone").fill("07700 900456")
    form.get_by_label("Subject").fill("Charged a restocking fee on an unopened kettle")
    form.get_by_label("Category").select_option(label="Refund dispute")
    form.get_by_label("First contact by").select_option(label="In person")
    form.get_by_label("Demeanour").select_option(label="Indecisive")
    form.get_by_label("What happened").fill("Brought the kettle back unopened, fee charged.")
    form.get_by_label("Minutes spent").fill("4")
    shot("new-case-form")
    form.get_by_role("button", name="Open case").click()

    expect(page).to_have_url(REFERENCE_URL)
    reference = _reference(page)
    expect(page.locator("#messages")).to_contain_text(f"Case {reference} opened.")
    # The first summary was logged as an interaction, so the case is open.
    expect(_status_badge(page)).to_have_text("Open")
    expect(page.locator("#timeline")).to_contain_text("fee charged")
    customer_link = page.locator("#case-header").get_by_role("link", name="Rafael Moreno")
    customer_href = customer_link.get_attribute("href")
    assert customer_href and re.fullmatch(r"/customers/\d+/", customer_href)
    shot("case-with-new-customer")

    # Registering the same person again (email in another case) warns of a duplicate.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
    form = _main(page).locator("form[method=post]")
    form.get_by_label("Name").fill("R. Moreno")
    form.get_by_label("Email").fill("rafael.moreno@example.com")
    form.get_by_label("Phone").fill("+44 7700 900999")
    form.get_by_label("Notes on preferences").fill("Speaks Spanish.")
    form.get_by_role("button", name="Save customer").click()

    warning = page.locator("#duplicates")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Likely duplicate")
    existing = warning.get_by_role("link", name="Rafael Moreno")
    expect(existing).to_have_attribute("href", customer_href)
    # Nothing typed is lost.
    form = _main(page).locator("form[method=post]")
    expect(form.get_by_label("Name")).to_have_value("R. Moreno")
    expect(form.get_by_label("Email")).to_have_value("rafael.moreno@example.com")
    expect(form.get_by_label("Phone")).to_have_value("+44 7700 900999")
    expect(form.get_by_label("Notes on preferences")).to_have_value("Speaks Spanish.")
    expect(form.get_by_label("create a new customer anyway")).to_be_visible()
    shot("duplicate-warning")

    existing.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rafael Moreno")
    expect(
        page.get_by_role("region", name="Cases").get_by_role("link", name=reference)
    ).to_be_visible()

    watch.assert_clean()


# 4. Case list filters live in the URL -------------------------------------------------


def test_case_list_status_filter_is_in_the_url_and_survives_reload(
    page: Page, live_server, staff, customer, category, watch, sign_in, shot
) -> None:
    from cases import services

    def open_case(subject: str):
        return services.open_case(
            by=staff,
            customer=customer,
            team=customer.team,
            subject=subject,
            category=category,
            channel="phone",
            assignee=staff,
        )

    new_case = open_case("Still new: nobody has called back yet")
    open_one = open_case("Open: waiting for the warehouse")
    services.log_interaction(
        open_one, by=staff, channel="phone", direction="inbound", summary="Rang.", demeanour="calm"
    )
    resolved = open_case("Resolved: refund given at the till")
    services.resolve_case(resolved, by=staff, outcome="within_policy", summary="Refunded.")

    sign_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    table = _main(page).get_by_role("table")
    for c in (new_case, open_one, resolved):
        expect(table.get_by_role("link", name=c.reference)).to_be_visible()

    filters = page.get_by_role("form", name="Filter cases")
    filters.get_by_label("Status").select_option(label="Resolved")
    filters.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"/cases/\?(.*&)?status=resolved(&|$)"))
    filtered_url = page.url

    def assert_only_resolved() -> None:
        table = _main(page).get_by_role("table")
        expect(table.get_by_role("link", name=resolved.reference)).to_be_visible()
        expect(table).not_to_contain_text(new_case.reference)
        expect(table).not_to_contain_text(open_one.reference)
        expect(table.locator("tbody tr")).to_have_count(1)
        expect(page.get_by_role("form", name="Filter cases").get_by_label("Status")).to_have_value(
            "resolved"
        )

    assert_only_resolved()
    shot("filtered")

    page.reload()
    assert page.url == filtered_url
    assert_only_resolved()

    # A bookmark: the same URL opened afresh from elsewhere.
    page.goto(f"{live_server.url}/")
    page.goto(filtered_url)
    assert_only_resolved()

    # Clear brings everything back.
    page.get_by_role("link", name="Clear").click()
    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(_main(page).get_by_role("table").locator("tbody tr")).to_have_count(3)

    watch.assert_clean()


# 5. Wrong password --------------------------------------------------------------------


def test_wrong_password_shows_an_error_and_keeps_the_username(
    page: Page, live_server, staff, watch, shot
) -> None:
    page.goto(f"{live_server.url}/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/$"))
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("main")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value(staff.username)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    shot("wrong-password")

    # The right password still works afterwards (one failure is no lockout) and `next` holds.
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    watch.assert_clean()


# 6. Keyboard only ---------------------------------------------------------------------


def test_interaction_form_works_with_the_keyboard_only(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    loads = _count_document_loads(page)
    panel = page.locator("#interaction-panel")
    timeline = page.locator("#timeline")

    # Start on the first field, as Tab from the page would; then keys only.
    panel.get_by_label("Channel").focus()
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Direction")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Demeanour now")).to_be_focused()
    page.keyboard.type("an")  # type-ahead picks "Angry"
    expect(panel.get_by_label("Demeanour now")).to_have_value("angry")
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Summary")).to_be_focused()
    page.keyboard.type("Typed with the keyboard only.")
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Minutes")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    # Enter in a text input submits the form (through htmx).
    page.keyboard.press("Enter")

    expect(panel.get_by_role("status")).to_have_text("Interaction logged.")
    expect(timeline).to_contain_text("Typed with the keyboard only.")
    expect(page.locator("#case-demeanour")).to_have_text("Angry")
    expect(page.locator("#guidance")).to_contain_text(ANGRY_HEADLINE)
    shot("keyboard-logged")

    # After the swap the cursor is back in the summary box, ready for the next contact.
    summary = panel.get_by_label("Summary")
    expect(summary).to_be_focused()
    page.keyboard.type("Second contact, still by keyboard.")

    # Tab on to the submit button (it must be reachable), then press Enter on it.
    submit = panel.get_by_role("button", name="Log interaction")
    for _ in range(15):
        page.keyboard.press("Tab")
        if submit.evaluate("el => el === document.activeElement"):
            break
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")

    expect(timeline).to_contain_text("Second contact, still by keyboard.")
    expect(timeline.locator(".event-interaction")).to_have_count(2)
    assert loads == [], f"logging an interaction navigated the page: {loads}"
    shot("keyboard-second")

    watch.assert_clean()


# 7. Every field on the case page has its own id, so its label names it ---------------


def test_case_page_fields_have_unique_ids_and_their_own_labels(
    page: Page, live_server, staff, case, guidance, watch, sign_in
) -> None:
    """The case page holds five forms; a label's `for` must reach the field beside it.

    With two fields sharing an id, the second one's label names the first field: clicking
    "Resolution summary" focuses the interaction's summary, and a screen reader reads the
    resolve textarea with no name at all.
    """
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator("#interaction-panel")).to_be_visible()

    duplicates = page.evaluate(
        """() => {
          const seen = {};
          document.querySelectorAll("[id]").forEach((el) => {
            seen[el.id] = (seen[el.id] || 0) + 1;
          });
          return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
        }"""
    )
    misdirected = page.evaluate(
        """() => Array.from(document.querySelectorAll("label[for]"))
          .filter((label) => {
            const form = label.closest("form");
            return form && label.control && label.control.closest("form") !== form;
          })
          .map((label) => `${label.textContent.trim()} -> #${label.htmlFor}`)"""
    )
    assert not (misdirected or duplicates), (
        f"labels naming a field of another form: {misdirected}; "
        f"duplicate element ids on the case page: {duplicates}"
    )

    for container, label in (
        ("#interaction-panel", "Summary"),
        ("#interaction-panel", "Demeanour now"),
        ("#action-triage", "Demeanour"),
        ("#action-resolve", "Resolution summary"),
    ):
        expect(page.locator(container).get_by_label(label)).to_have_count(1)

    watch.assert_clean()


# 8. A long timeline --------------------------------------------------------------------


def test_a_long_timeline_shows_the_latest_and_loads_earlier_events_in_place(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot
) -> None:
    from tests.factories import add_timeline_events

    add_timeline_events(case, staff, 120)
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    timeline = page.locator("#timeline")
    events = timeline.locator("li[class*='event-']")
    expect(events).to_have_count(50)
    expect(events.first).to_contain_text("Step 119")
    loads = _count_document_loads(page)

    timeline.get_by_role("link", name="Show earlier events").click()
    expect(events).to_have_count(100)
    expect(events.nth(50)).to_contain_text("Step 69")
    shot("earlier-events-appended")
    timeline.get_by_role("link", name="Show earlier events").click()
    expect(events).to_have_count(121)  # the 120 steps and the case's own "opened"
    expect(timeline.get_by_role("link", name="Show earlier events")).to_have_count(0)
    expect(events.last).to_contain_text(case.subject)
    assert loads == []  # appended in place, no page load
