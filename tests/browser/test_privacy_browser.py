"""Data protection in a real browser: an admin exports a customer's data (built by a real
Celery worker, progress polled by htmx, the ZIP downloaded) and then erases the customer
through the confirmation step — at desktop and at phone width."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from privacy.models import Erasure
from tests.privacy.world import DANA, build_world

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def world(team, staff, manager, admin_user, category, allowed, what_happens_next):
    return build_world(
        DANA,
        team=team,
        staff=staff,
        manager=manager,
        admin=admin_user,
        category=category,
        allowed=allowed,
    )


@pytest.mark.parametrize("size", WIDTHS)
def test_admin_exports_then_erases_a_customer(
    page: Page, live_server, worker, world, admin_user, watch, sign_in, shot, size, tmp_path
) -> None:
    sign_in(admin_user)  # at desktop width: the helper looks for "Sign out" in the navbar
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"{live_server.url}{world.customer.get_absolute_url()}")
    notes = page.locator("#flag-notes")
    expect(notes).to_contain_text(f"Two staff present: set by {world.customer.created_by} on")
    expect(notes).to_contain_text(f"threw the {DANA.phrase} at a colleague")
    pk = world.customer.pk
    edit_link = page.locator(f'a[href="/customers/{pk}/edit/"]')
    new_case_link = page.locator(f'a[href="/cases/new/?customer={pk}"]')
    expect(edit_link).to_have_count(1)
    expect(new_case_link).to_have_count(1)
    shot(f"{size}-profile-flags")
    page.get_by_role("link", name="Data protection").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Data protection")
    page.get_by_role("button", name="Export this customer's data").click()

    # The worker builds it while the page polls; then the one download.
    download_button = page.get_by_role("button", name="Download the ZIP")
    expect(download_button).to_be_visible(timeout=60_000)
    shot(f"{size}-export-ready")
    with page.expect_download() as info:
        download_button.click()
    path = tmp_path / "export.zip"
    info.value.save_as(path)
    data = json.loads(zipfile.ZipFile(path).read("data.json"))
    assert data["customer"]["email"] == DANA.email
    assert len(data["cases"]) == 2

    page.goto(f"{live_server.url}/privacy/customers/{world.customer.pk}/")
    page.get_by_role("link", name="Erase personal data…").click()
    page.get_by_label("Why is this customer's data being erased?").fill("Erasure request by letter")
    shot(f"{size}-erase-reason")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("for good?")
    assert not Erasure.objects.exists()
    shot(f"{size}-erase-confirm")
    page.get_by_role("button", name="Erase permanently").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Erased customer #{world.customer.pk}"
    )
    expect(page.get_by_text("personal data has been erased")).to_be_visible()
    expect(page.get_by_text(DANA.phrase)).to_have_count(0)
    shot(f"{size}-erased")
    assert Erasure.objects.get().erased_by == admin_user

    # The profile says when, offers neither Edit nor New case, and shows no flag notes.
    page.goto(f"{live_server.url}{world.customer.get_absolute_url()}")
    expect(page.locator("#erased-notice")).to_contain_text("personal data was erased on")
    expect(edit_link).to_have_count(0)
    expect(new_case_link).to_have_count(0)
    expect(page.locator("#flag-notes")).to_have_count(0)
    shot(f"{size}-erased-profile")
    watch.assert_clean()
