"""Bulk actions in a real browser: a manager ticks a range with Shift-click (and a row
with `x`), assigns them in one step, at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from cases.models import Case, CaseEvent, EventKind
from tests.factories import CaseFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.mark.parametrize("size", WIDTHS)
def test_manager_shift_clicks_a_range_and_assigns_it(
    size, page: Page, live_server, manager, staff, colleague, team, category, watch, sign_in, shot
) -> None:
    customer = CustomerFactory(team=team, created_by=staff, name="Grace Osei")
    for n in range(6):
        CaseFactory(
            team=team,
            customer=customer,
            created_by=staff,
            category=category,
            subject=f"Parcel {n}",
            status="open",
            assignee=staff,
        )
    sign_in(manager)
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"{live_server.url}/cases/")
    boxes = page.locator('input[name="case"]')
    expect(boxes).to_have_count(6)
    refs = [box.get_attribute("aria-label").removeprefix("Select ") for box in boxes.all()]

    # Tick the first, Shift-click the fourth: the four between are selected.
    page.get_by_label(f"Select {refs[0]}", exact=True).click()
    page.get_by_label(f"Select {refs[3]}", exact=True).click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("4 cases selected.")
    for n, ref in enumerate(refs):
        box = page.get_by_label(f"Select {ref}", exact=True)
        expect(box).to_be_checked() if n < 4 else expect(box).not_to_be_checked()

    # `x` typed in a field ticks nothing; on a row (its link focused) it toggles that row.
    page.get_by_label("Assign to").focus()
    page.keyboard.press("x")
    page.get_by_role("link", name=refs[4], exact=True).focus()
    page.keyboard.press("x")
    expect(page.get_by_label(f"Select {refs[4]}", exact=True)).to_be_checked()
    page.keyboard.press("x")
    expect(page.get_by_label(f"Select {refs[4]}", exact=True)).not_to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("4 cases selected.")
    shot(f"{size}-selected")

    page.get_by_label("Assign to").select_option(label=str(colleague))
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("alert").or_(page.locator(".alert")).first).to_contain_text(
        "Reassigned 4 cases"
    )
    shot(f"{size}-assigned")

    chosen = [int(ref.removeprefix("CD-")) for ref in refs[:4]]
    assert set(Case.objects.filter(pk__in=chosen).values_list("assignee", flat=True)) == {
        colleague.pk
    }
    assert not Case.objects.exclude(pk__in=chosen).filter(assignee=colleague).exists()
    events = CaseEvent.objects.filter(kind=EventKind.ASSIGNEE)
    assert sorted(events.values_list("case_id", flat=True)) == sorted(chosen)
    watch.assert_clean()


def test_select_all_ticks_the_page_and_a_refusal_keeps_the_selection(
    page: Page, live_server, manager, staff, team, category, watch, sign_in, shot
) -> None:
    customer = CustomerFactory(team=team, created_by=staff)
    for n in range(3):
        CaseFactory(
            team=team, customer=customer, created_by=staff, category=category, subject=f"Fee {n}"
        )
    sign_in(manager)
    page.goto(f"{live_server.url}/cases/")
    page.get_by_label("Select every case on this page").check()
    expect(page.locator("#bulk-count")).to_have_text("3 cases selected.")
    # None is resolved: closing is refused, each case named, and the ticks come back.
    page.get_by_role("button", name="Close resolved cases").click()
    expect(page.locator(".alert").first).to_contain_text("Nothing was changed.")
    expect(page.locator(".alert").first).to_contain_text("not resolved")
    expect(page.locator('input[name="case"]:checked')).to_have_count(3)
    expect(page.locator("#bulk-count")).to_have_text("3 cases selected.")
    shot("refused")
    assert not Case.objects.filter(status="closed").exists()
    watch.assert_clean()
