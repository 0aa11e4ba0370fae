"""The profile page's API tokens and the API docs in a real browser (Chromium).

`watch` asserts no console error, no CSP violation and no request off the live server:
Swagger UI and ReDoc come from drf-spectacular-sidecar's local files.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_make_copy_and_revoke_a_token(page: Page, live_server, sign_in, watch, shot, staff, width):
    sign_in(staff)
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_label("Name").fill("Till 2, Downtown store")
    page.get_by_label("Expires").select_option("90")
    page.get_by_role("button", name="Make a token").click()
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("cdk_")
    shot("made")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    # The secret works against the API, from the same browser's network stack.
    answer = page.request.get(
        f"{live_server.url}/api/v1/tasks/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_label("Your new token")).to_have_count(0)  # shown once
    expect(page.get_by_role("cell", name="Till 2, Downtown store", exact=True)).to_be_visible()
    page.get_by_role("button", name="Revoke Till 2, Downtown store").click()
    expect(page.get_by_text("Token revoked")).to_be_visible()
    expect(page.get_by_text("revoked", exact=True)).to_be_visible()
    shot("revoked")
    refused = page.request.get(
        f"{live_server.url}/api/v1/tasks/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401
    watch.allow_console("401")
    watch.assert_clean()


def test_swagger_ui_and_redoc_render_inside_the_csp(page: Page, live_server, watch):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name="CaseDesk API")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/v1/cases/{reference}/interactions/").first).to_be_visible()
    # The whole Swagger page is too tall for one screenshot: the first screen is enough.
    page.screenshot(path=str(ARTIFACTS / "api-docs--swagger.png"))
    page.goto(f"{live_server.url}/api/docs/redoc/")
    expect(page.get_by_role("heading", name="CaseDesk API").first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "api-docs--redoc.png"))
    watch.assert_clean()
