"""At the counter, in a real browser: find a returning customer by the number they say,
and open their new case in four actions, on a desk and on a phone (390 × 844).

Each user action goes through `Actions`, which counts it: typing into one field is one
action, a click or a key press is one. Waiting for results to show is not an action.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from cases import services
from cases.models import Case, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)
DESK = (1280, 800)


class Actions:
    """What the user does, counted."""

    def __init__(self) -> None:
        self.count = 0

    def type(self, field: Locator, text: str) -> None:
        self.count += 1
        field.click()
        field.press_sequentially(text)

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def press(self, page: Page, key: str) -> None:
        self.count += 1
        page.keyboard.press(key)


@pytest.fixture
def grace(staff, team, category):
    """A returning customer with an earlier, resolved case."""
    from tests.factories import CategoryFactory

    CategoryFactory(name="Other", slug="other")
    customer = services.create_customer(
        by=staff, team=team, name="Grace Osei", email="grace@example.com", phone="+44 7700 900105"
    )
    earlier = services.open_case(
        by=staff,
        customer=customer,
        team=team,
        subject="Kettle returned",
        category=category,
        channel="in_person",
        assignee=staff,
        first_summary="Swapped the kettle",
    )
    services.resolve_case(earlier, by=staff, outcome="within_policy", summary="Swapped")
    return customer


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px wider than the screen"


def search_box(page: Page) -> Locator:
    return page.get_by_role("combobox", name="Search cases and customers")


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_a_returning_customers_new_case_found_by_national_number_takes_four_actions(
    page: Page, live_server, staff, grace, guidance, watch, sign_in, shot, size
) -> None:
    sign_in(staff)  # (its check looks for "Sign out", in the menu on a phone)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/cases/")  # "from any page"
    expect(search_box(page)).to_be_visible()  # on a phone too, without opening the menu
    act = Actions()

    act.type(search_box(page), "07700 900105")
    results = page.get_by_role("listbox", name="Matches")
    expect(results).to_be_visible()
    expect(search_box(page)).to_have_attribute("aria-expanded", "true")
    group = results.get_by_role("group", name="Grace Osei")
    expect(group).to_contain_text("No open case")
    expect(page.locator("#nav-search-status")).to_contain_text("1 customer found")
    no_sideways_scroll(page)
    shot("results")

    act.click(group.get_by_role("option", name="New case for Grace Osei"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New case for Grace Osei")
    main = page.get_by_role("main")
    expect(main.get_by_role("button", name="change")).to_be_visible()
    expect(main.get_by_label("Customer name")).to_be_hidden()  # not empty fields
    no_sideways_scroll(page)
    shot("new-case-form")

    act.type(main.get_by_label("Subject"), "Toaster sparks when switched on")
    act.click(main.get_by_role("button", name="Open case"))

    expect(page).to_have_url(re.compile(r"/cases/CD-\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Toaster sparks")
    no_sideways_scroll(page)
    shot("case-opened")
    assert act.count <= 4
    case = Case.objects.get(subject="Toaster sparks when switched on")
    assert case.customer == grace
    assert (case.category.slug, case.channel, case.demeanour) == ("other", "in_person", "calm")
    assert case.assignee == staff
    watch.assert_clean()


def test_arrow_keys_and_enter_choose_a_result_and_screen_readers_hear_the_count(
    page: Page, live_server, staff, grace, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)
    box = search_box(page)
    box.click()
    box.press_sequentially("0105")  # the last digits
    results = page.get_by_role("listbox", name="Matches")
    expect(results.get_by_role("option", name=re.compile("^Grace Osei"))).to_be_visible()
    expect(page.locator("#nav-search-status")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#nav-search-status")).to_contain_text("1 customer found")

    page.keyboard.press("ArrowDown")
    first = results.get_by_role("option").first
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "-")
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    new_case = results.get_by_role("option", name="New case for Grace Osei")
    expect(box).to_have_attribute("aria-activedescendant", new_case.get_attribute("id") or "-")
    shot("second-option-active")
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("ArrowDown")  # opens again on the first option
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New case for Grace Osei")
    watch.assert_clean()


def test_the_new_case_form_finds_the_customer_as_you_type_and_keeps_what_was_typed(
    page: Page, live_server, staff, grace, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.goto(f"{live_server.url}/cases/new/")
    main = page.get_by_role("main")
    main.get_by_label("Subject").fill("Blender lid cracked")
    finder = main.get_by_role("combobox", name="Find a customer")
    finder.click()
    finder.press_sequentially("Grace O")
    option = main.get_by_role("option", name=re.compile("^Grace Osei"))
    expect(option).to_be_visible()
    no_sideways_scroll(page)
    shot("customer-field-results")
    option.click()
    chosen = main.locator("#chosen-customer")
    expect(chosen).to_contain_text("Grace Osei")
    expect(finder).to_be_hidden()
    expect(main.get_by_label("Customer name")).to_be_hidden()
    expect(main.get_by_label("Subject")).to_be_focused()  # on to the next thing to type
    shot("customer-picked")

    main.get_by_role("button", name="change").click()
    expect(finder).to_be_visible()
    finder.press_sequentially("07700 900105")
    expect(option).to_be_visible()
    finder.press("Enter")  # picks the customer shown; never submits the form
    expect(chosen).to_be_visible()
    assert not Case.objects.filter(subject="Blender lid cracked").exists()

    main.get_by_role("button", name="change").click()  # a different customer after all
    expect(finder).to_be_visible()
    expect(main.get_by_label("Customer name")).to_be_visible()
    expect(main.get_by_label("Subject")).to_have_value("Blender lid cracked")
    main.get_by_label("Customer name").fill("Ivo Novak")
    main.get_by_label("Customer phone").fill("+48 512 345 678")
    expect(main.get_by_label("Customer phone")).to_have_attribute("inputmode", "tel")
    expect(main.get_by_label("Customer email")).to_have_attribute("type", "email")
    main.get_by_role("button", name="Open case").click()
    expect(page).to_have_url(re.compile(r"/cases/CD-\d+/$"))
    case = Case.objects.get(subject="Blender lid cracked")
    assert case.customer.name == "Ivo Novak"
    assert case.customer.phone_normalised == "+48512345678"
    assert case.status == Status.NEW
    watch.assert_clean()
