"""Exception requests and the approvals queue in a real browser (Chromium).

The acceptance of the exceptions issue: staff ask for more than their limit, the case waits
for a decision, a manager of the team counter-offers from the Approvals page with the
customer's history in view, and the case timeline tells the staff member what was decided.
Within the staff limit the exception is granted at once; nobody decides their own request.

The policy library comes from tests/exception_fixtures.py: one allowed exception with
staff limit 25, manager limit 100 and maximum 200.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP = "DIAG-FEE: Diagnostic fee is non-refundable"
EXCEPTION = "Refund the fee as store credit (staff ≤ 25.00, manager ≤ 100.00, max 200.00)"
OFF_POLICY = "Off-policy exception (always needs a manager)"


def _status_badge(page: Page) -> Locator:
    return page.locator("#case-header .badge[class*='status-']")


def _requests(page: Page) -> Locator:
    return page.get_by_role("region", name="Exception requests")


def _request_exception(
    page: Page,
    *,
    exception: str,
    value: str,
    ask: str,
    why: str,
    policy: str | None = None,
) -> None:
    """Actions → Request an exception, filled in and sent."""
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_text("Request an exception").click()
    form = actions.locator("#action-exception")
    choice = form.get_by_label("Exception")
    # The allowed exceptions are grouped under their policy; off-policy comes last.
    expect(choice.locator(f'optgroup[label="{GROUP}"] > option')).to_have_text([EXCEPTION])
    expect(choice.locator("option").last).to_have_text(OFF_POLICY)
    choice.select_option(label=exception)
    if policy is not None:
        form.get_by_label("Policy it departs from").select_option(label=policy)
    form.get_by_label("Value").fill(value)
    form.get_by_label("What the customer asked for").fill(ask)
    form.get_by_label("Justification").fill(why)
    form.get_by_role("button", name="Request exception").click()


def _nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def test_over_the_staff_limit_a_manager_counter_offers_from_the_approvals_queue(
    page: Page,
    live_server,
    staff,
    manager,
    case,
    allowed,
    guidance,
    watch,
    sign_in,
    shot,
    new_window,
) -> None:
    from cases import services

    # History: the same customer got 15.00 on an earlier case (within the staff limit).
    earlier = services.open_case(
        by=staff,
        customer=case.customer,
        team=case.team,
        subject="Diagnostic fee on the old dishwasher",
        category=case.category,
        channel="phone",
    )
    services.request_exception(
        earlier,
        by=staff,
        allowed=allowed,
        value=Decimal("15"),
        customer_ask="Refund the diagnostic fee.",
        justification="Fault was ours.",
    )
    ask = "Wants the 80.00 diagnostic fee back as store credit."
    why = "Second visit for the same fault; the first engineer misdiagnosed it."
    reason = "Half the fee back: the second visit did find a new fault."

    # Staff ask for 80, over their limit of 25.
    sign_in(staff)
    expect(_nav(page).get_by_role("link", name=re.compile("^Approvals"))).to_have_count(0)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    _request_exception(page, exception=EXCEPTION, value="80", ask=ask, why=why)

    expect(page.locator("#messages")).to_contain_text(
        "Request sent for a decision; the case is pending approval."
    )
    expect(_status_badge(page)).to_have_text("Pending approval")
    request_row = _requests(page).get_by_role("listitem")
    expect(request_row).to_have_count(1)
    expect(request_row).to_contain_text("Refund the fee as store credit · £80.00")
    expect(request_row.locator(".badge")).to_have_text("Waiting for a decision")
    expect(request_row).to_contain_text("needs manager")
    expect(request_row.get_by_text("Decide")).to_have_count(0)  # staff never decide
    expect(request_row.get_by_role("button", name="Withdraw request")).to_be_visible()
    expect(page.locator("#timeline .event-exc_requested")).to_contain_text(
        "Exception requested (£80.00)"
    )
    shot("pending-approval")

    # A manager of the team, at another browser.
    boss = new_window("manager")
    boss.sign_in(manager)
    approvals_link = _nav(boss.page).get_by_role("link", name=re.compile(r"^Approvals"))
    expect(approvals_link.locator("#approvals-badge")).to_have_text("1 waiting")
    approvals_link.click()
    expect(boss.page.get_by_role("heading", level=1)).to_have_text("Approvals 1")
    item = boss.page.get_by_role("region", name=re.compile(re.escape(case.reference)))
    expect(item).to_have_count(1)
    expect(item).to_contain_text("£80.00")
    expect(item).to_contain_text("Diagnostic fee is non-refundable (DIAG-FEE v1)")
    expect(item).to_contain_text("manager limit 100.00")
    expect(item).to_contain_text("Sam Staff")
    expect(item).to_contain_text(ask)
    expect(item).to_contain_text(why)
    history = item.locator(".customer-history")
    expect(history).to_contain_text("Exceptions granted, last 12 months: 1 worth £15.00")
    expect(history).to_contain_text("Open cases: 2")
    expect(history.get_by_role("link", name=case.customer.name)).to_be_visible()
    boss.shot("approvals-queue")

    item.get_by_label("Approve a lower value (counter-offer)").check()
    item.get_by_label("Counter-offer value").fill("40")
    item.get_by_label("Reason").fill(reason)
    boss.shot("counter-offer")
    item.get_by_role("button", name="Record decision").click()

    expect(boss.page).to_have_url(f"{live_server.url}/approvals/")
    expect(boss.page.locator("#messages")).to_contain_text(
        f"{case.reference}: approved at a lower value at £40.00."
    )
    expect(boss.page.get_by_role("heading", level=1)).to_have_text("Approvals 0")
    expect(boss.page.get_by_role("main")).to_contain_text("Nothing is waiting for you.")
    expect(_nav(boss.page).locator("#approvals-badge")).to_have_text("0 waiting")
    boss.shot("queue-empty")

    # Staff sign in again and read the decision on the case.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(_status_badge(page)).to_have_text("Open")
    decided = page.locator("#timeline .event-exc_decided")
    expect(decided).to_have_count(1)
    expect(decided).to_contain_text("Exception counter-offered at £40.00")
    expect(decided).to_contain_text("(asked £80.00)")
    expect(decided).to_contain_text(reason)
    expect(decided).to_contain_text("Mo Manager")
    request_row = _requests(page).get_by_role("listitem")
    expect(request_row.locator(".badge")).to_have_text("Approved at a lower value: 40.00")
    expect(request_row).to_contain_text("Mo Manager, ")
    expect(request_row).to_contain_text(reason)
    expect(request_row.get_by_role("button", name="Withdraw request")).to_have_count(0)
    shot("counter-offered")

    watch.assert_clean()
    boss.watch.assert_clean()


def test_within_the_staff_limit_the_exception_is_granted_at_once(
    page: Page, live_server, staff, case, allowed, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    _request_exception(
        page,
        exception=EXCEPTION,
        value="20",
        ask="Wants the diagnostic fee back.",
        why="Engineer arrived three hours late.",
    )

    expect(page.locator("#messages")).to_contain_text(
        "Granted: Refund the fee as store credit, £20.00."
    )
    granted = page.locator("#timeline .event-exc_granted")
    expect(granted).to_have_count(1)
    expect(granted).to_contain_text("Exception granted at once (£20.00, within discretion)")
    # Nothing to wait for: the case's status is untouched.
    expect(_status_badge(page)).to_have_text("New")
    expect(page.locator("#case-header")).not_to_contain_text("Pending approval")
    expect(page.locator("#timeline .event-exc_requested")).to_have_count(0)
    request_row = _requests(page).get_by_role("listitem")
    expect(request_row.locator(".badge")).to_have_text("Granted at once (within discretion)")
    expect(request_row.get_by_role("button", name="Withdraw request")).to_have_count(0)
    # The policy it departs from is now attached to the case.
    expect(page.locator("#timeline .event-policy")).to_contain_text("DIAG-FEE v1")
    shot("granted-at-once")

    watch.assert_clean()


def test_a_managers_own_off_policy_request_has_no_decide_form_for_him(
    page: Page,
    live_server,
    manager,
    admin_user,
    case,
    allowed,
    guidance,
    watch,
    sign_in,
    shot,
    new_window,
) -> None:
    sign_in(manager)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    _request_exception(
        page,
        exception=OFF_POLICY,
        policy=GROUP,
        value="50",
        ask="A goodwill voucher for the wasted afternoon.",
        why="Long-standing customer; the delivery slot was missed twice.",
    )

    expect(page.locator("#messages")).to_contain_text(
        "Request sent for a decision; the case is pending approval."
    )
    expect(_status_badge(page)).to_have_text("Pending approval")
    request_row = _requests(page).get_by_role("listitem")
    expect(request_row).to_contain_text("Off-policy exception · £50.00")
    expect(request_row.locator(".badge")).to_have_text("Waiting for a decision")
    # His own request: he may withdraw it, never decide it.
    expect(request_row.get_by_text("Decide", exact=True)).to_have_count(0)
    expect(request_row.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(request_row.get_by_role("radio")).to_have_count(0)
    expect(request_row.get_by_role("button", name="Withdraw request")).to_be_visible()
    # Nor is it in his queue.
    expect(_nav(page).locator("#approvals-badge")).to_have_text("0 waiting")
    shot("own-request")
    _nav(page).get_by_role("link", name=re.compile(r"^Approvals")).click()
    expect(page.get_by_role("main")).to_contain_text("Nothing is waiting for you.")

    # Someone else with the authority (an admin) does get the Decide form on the case.
    admin = new_window("admin")
    admin.sign_in(admin_user)
    admin.page.goto(f"{live_server.url}{case.get_absolute_url()}")
    other_row = _requests(admin.page).get_by_role("listitem")
    other_row.get_by_text("Decide", exact=True).click()
    expect(other_row.get_by_role("button", name="Record decision")).to_be_visible()
    expect(other_row.get_by_role("button", name="Withdraw request")).to_have_count(0)
    admin.shot("admin-may-decide")

    watch.assert_clean()
    admin.watch.assert_clean()
