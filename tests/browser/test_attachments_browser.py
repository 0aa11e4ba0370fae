"""Photos and files in a real browser: a phone at the counter, a desktop with drag and
drop and paste, and the size limit checked before anything is sent."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import Page, ViewportSize, expect

from attachments.models import Attachment
from tests.attachment_fixtures import GPS_IFD, image_bytes, jpeg_with_gps, stored_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_staff_attach_a_phone_photo_while_logging_an_interaction(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot, attachment_store, tmp_path
) -> None:
    sign_in(staff)  # at desktop width: the sign-in check looks for the navigation's button
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")
    panel = page.locator("#interaction-panel")
    panel.get_by_label("Summary").fill("Customer showed the receipt; photographed it.")
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_with_gps((1200, 900), orientation=6))

    # Both pickers fit the phone's width: the camera, and the gallery or files.
    expect(panel.get_by_text("Take photo")).to_be_visible()
    expect(panel.get_by_text("Choose files")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The one extra action: "Take photo" (the phone's camera; here, the file it returns).
    take_photo = panel.get_by_label("Take photo")
    expect(take_photo).to_have_attribute("capture", "environment")
    take_photo.set_input_files(str(photo))
    expect(panel.locator(".file-chosen")).to_contain_text("IMG_2041.jpg")
    shot("photo-chosen")
    panel.get_by_role("button", name="Log interaction").click()

    expect(panel.get_by_role("status")).to_have_text("Interaction logged.")
    thumb = page.locator("#timeline img.attachment-thumb")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_attribute("alt", "IMG_2041.jpg")
    page.wait_for_function(
        "() => { const i = document.querySelector('#timeline img.attachment-thumb');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(page.locator("#timeline")).to_contain_text("JPEG image")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    # The panel is fresh and ready for the next photo.
    expect(panel.locator(".file-chosen li")).to_have_count(0)
    shot("thumbnail-in-place")

    attachment = Attachment.objects.get()
    assert (attachment.width, attachment.height) == (900, 1200)  # upright
    for path in stored_files(attachment_store):
        assert b"Exif" not in path.read_bytes()
        with Image.open(path) as image:
            assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
    watch.assert_clean()


def _drop(page: Page, selector: str, name: str, data: bytes, mime: str) -> None:
    """Drop a file on `selector` as the desktop's file manager would."""
    page.evaluate(
        """([selector, name, bytes, mime]) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], name, {type: mime}));
          const target = document.querySelector(selector);
          for (const kind of ["dragenter", "dragover", "drop"]) {
            target.dispatchEvent(new DragEvent(kind, {dataTransfer: transfer, bubbles: true,
                                                      cancelable: true}));
          }
        }""",
        [selector, name, list(data), mime],
    )


def _paste(page: Page, selector: str, name: str, data: bytes, mime: str) -> None:
    page.evaluate(
        """([selector, name, bytes, mime]) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], name, {type: mime}));
          const event = new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true,
                                                     cancelable: true});
          document.querySelector(selector).dispatchEvent(event);
        }""",
        [selector, name, list(data), mime],
    )


def test_desktop_drop_and_paste_attach_files_and_limits_refuse_before_sending(
    page: Page, live_server, settings, staff, case, guidance, watch, sign_in, shot, attachment_store
) -> None:
    settings.CASEDESK_ATTACHMENT_MAX_BYTES = 200 * 1024
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    panel = page.locator("#interaction-panel")
    expect(panel.locator("[data-attachments]")).to_have_attribute(
        "data-max-file-bytes", str(200 * 1024)
    )
    panel.get_by_label("Summary").fill("Customer emailed a scan and a screenshot.")
    _drop(page, "#interaction-form textarea", "scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    _paste(page, "#interaction-form textarea", "image.png", image_bytes("PNG"), "image/png")
    too_big = b"\xff\xd8\xff" + b"\x00" * (300 * 1024)
    _drop(page, "#interaction-form textarea", "huge.jpg", too_big, "image/jpeg")
    problem = panel.locator(".file-problem")
    expect(problem).to_contain_text("huge.jpg is 300 KB, over the limit of 200 KB per file.")
    expect(panel.locator(".file-chosen li")).to_have_count(2)
    shot("dropped-and-pasted")

    posted: list[int] = []  # the size of every POST body the page sends from here on
    page.on(
        "request",
        lambda r: posted.append(len(r.post_data_buffer or b"")) if r.method == "POST" else None,
    )
    panel.get_by_role("button", name="Log interaction").click()
    expect(panel.get_by_role("status")).to_have_text("Interaction logged.")
    cards = page.locator("#timeline .attachment-card")
    expect(cards).to_have_count(2)
    expect(page.locator("#timeline")).to_contain_text("PDF document")
    names = sorted(Attachment.objects.values_list("name", flat=True))
    assert names == ["image.png", "scan.pdf"]  # the oversized file was never sent
    assert posted and max(posted) < 100 * 1024, posted
    shot("cards")
    watch.assert_clean()
