"""Quick logs in a real browser: one tap fills the interaction form, the user edits the
filled summary and saves it, at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from cases.models import Interaction
from policies.models import QuickLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.mark.parametrize("size", WIDTHS)
def test_one_tap_fills_the_form_and_the_user_edits_before_saving(
    size, page: Page, live_server, staff, case, guidance, watch, sign_in, shot
) -> None:
    QuickLog.objects.all().delete()  # the seeded ones, if this database still has them
    QuickLog.objects.create(
        label="Called back, no answer",
        channel="phone",
        minutes=2,
        summary="Called {customer} back about {reference}; no answer.",
        order=1,
    )
    sign_in(staff)
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    form = page.locator("#interaction-form")
    page.get_by_role("link", name="Called back, no answer").click()
    summary = form.get_by_label("Summary")
    filled = f"Called Dana Whitfield back about {case.reference}; no answer."
    expect(summary).to_have_value(filled)
    expect(summary).to_be_focused()
    expect(form.get_by_label("Channel")).to_have_value("phone")
    expect(form.get_by_label("Minutes")).to_have_value("2")
    # Screen readers hear what happened, in words the page carries (no JS catalogue).
    expect(page.locator("#quick-log-status")).to_have_text(
        "Called back, no answer: form filled; edit it, then save."
    )
    # Still the case page: filling is not saving.
    assert page.url == f"{live_server.url}{case.get_absolute_url()}"
    assert not Interaction.objects.filter(case=case).exists()
    shot(f"{size}-filled")

    page.keyboard.type(" Left a voicemail.")
    form.get_by_role("button", name="Log interaction").click()
    expect(page.locator("#interaction-panel")).to_contain_text("Interaction logged.")
    shot(f"{size}-saved")
    saved = Interaction.objects.get(case=case)
    assert (saved.summary, saved.channel, saved.minutes) == (
        f"{filled} Left a voicemail.",
        "phone",
        2,
    )
    watch.assert_clean()
