"""Adding files while logging an interaction or requesting an exception, through the
case page's forms (plain and htmx), and what ends up stored."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from attachments.models import Attachment
from tests.attachment_fixtures import (
    GPS_IFD,
    image_bytes,
    jpeg_with_gps,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


def _log(client, case, *, files, htmx: bool = False, summary: str = "Brought the receipt"):
    data = {
        "channel": "in_person",
        "direction": "inbound",
        "summary": summary,
        "demeanour": "calm",
        "minutes": "4",
        "files": files,
    }
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("case_log_interaction", args=[case.reference]), data, **headers)


def test_photo_logged_with_an_interaction_is_stored_upright_without_exif(
    signed_in, staff, case, attachment_store
):
    client = signed_in(staff)
    # Orientation 6: the phone was held on its side; the stored photo must be upright.
    photo = jpeg_with_gps((640, 480), orientation=6)
    assert b"PhoneMaker" in photo
    response = _log(client, case, files=[upload("IMG_0042.JPG", photo, "image/jpeg")], htmx=True)
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.interaction.summary == "Brought the receipt"
    assert (attachment.content_type, attachment.name) == ("image/jpeg", "IMG_0042.JPG")
    assert (attachment.width, attachment.height) == (480, 640)  # turned upright
    # The thumbnail is in the panel's response, in place on the timeline.
    page = response.content.decode()
    assert reverse("attachment_thumbnail", args=[attachment.pk]) in page
    stored = stored_files(attachment_store)
    assert len(stored) == 2  # the photo and its thumbnail, nothing else
    for path in stored:
        data = path.read_bytes()
        assert b"PhoneMaker" not in data and b"Exif" not in data
        with Image.open(path) as image:
            assert not image.getexif().get_ifd(GPS_IFD)
            assert len(image.getexif()) == 0
    with Image.open(attachment_store / attachment.storage_key) as image:
        # The blue marker was top-left before the turn; upright it is at the top right.
        pixel = image.getpixel((image.width - 5, 5))
        assert isinstance(pixel, tuple) and pixel[2] > 200


def test_several_files_at_once_each_become_a_card_with_size_and_type(
    signed_in, staff, case, attachment_store
):
    client = signed_in(staff)
    files = [
        upload("receipt.png", image_bytes("PNG"), "image/png"),
        upload(
            "letter.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
        ),
        upload(
            "notes.txt", "Dent on the left side — customer says on delivery.".encode(), "text/plain"
        ),
    ]
    response = _log(client, case, files=files)
    assert response.status_code == 302
    page = client.get(case.get_absolute_url()).content.decode()
    for name, label in [
        ("receipt.png", "PNG image"),
        ("letter.pdf", "PDF document"),
        ("notes.txt", "Plain text"),
    ]:
        assert name in page and label in page
    assert Attachment.objects.filter(case=case).count() == 3


def test_heic_photo_is_converted_to_jpeg(signed_in, staff, case, attachment_store):
    client = signed_in(staff)
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "orange").save(out, "HEIF")
    _log(client, case, files=[upload("IMG_1234.HEIC", out.getvalue(), "image/heic")])
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.converted_from) == ("image/jpeg", "image/heic")
    assert attachment.name == "IMG_1234.jpg"
    assert (attachment_store / attachment.storage_key).read_bytes()[:3] == b"\xff\xd8\xff"


def test_refused_file_keeps_the_interaction_typed_and_stores_nothing(
    signed_in, staff, case, attachment_store
):
    client = signed_in(staff)
    response = _log(
        client,
        case,
        files=[upload("fine.png", image_bytes("PNG")), upload("x.exe", b"MZ\x90\x00" * 100)],
        summary="Keep this text",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "x.exe" in page and "is not accepted" in page
    assert "Keep this text" in page
    assert not case.interactions.exists()
    assert stored_files(attachment_store) == []


def test_failed_interaction_deletes_the_bytes_already_stored(
    signed_in, staff, case, attachment_store
):
    """The case closes between the form and the save: the interaction is refused inside
    the transaction, after the files were written; none may stay behind."""
    from django.utils import timezone

    from cases.models import Case

    client = signed_in(staff)
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome="within_policy", resolved_at=now, closed_at=now
    )
    response = _log(client, case, files=[upload("a.png", image_bytes("PNG"))])
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files(attachment_store) == []


def test_exception_request_takes_evidence_shown_to_the_decider(
    signed_in, staff, manager, case, attachment_store, allowed
):
    client = signed_in(staff)
    response = client.post(
        reverse("case_request_exception", args=[case.reference]),
        {
            "allowed_exception": str(allowed.pk),
            "value": "80.00",
            "customer_ask": "Refund the fee",
            "justification": "Photo shows the damage on arrival",
            "files": [upload("damage.jpg", jpeg_with_gps(), "image/jpeg")],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.exception_request is not None and attachment.interaction is None
    queue = signed_in(manager).get(reverse("approvals")).content.decode()
    assert "Evidence" in queue and "damage.jpg" in queue
    assert reverse("attachment_thumbnail", args=[attachment.pk]) in queue


def test_refused_file_in_place_shows_next_to_the_field_in_the_panel(
    signed_in, staff, case, attachment_store
):
    """Through htmx the panel comes back in place (htmx swaps only 2xx answers)."""
    response = _log(
        signed_in(staff),
        case,
        files=[upload("photo.jpg", b"<svg onload=alert(1)>")],
        htmx=True,
        summary="Typed at the counter",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="interaction-panel"' in page and "“photo.jpg”" in page
    assert "Typed at the counter" in page
    assert not case.interactions.exists()


def test_refused_evidence_keeps_the_request_unmade_and_says_why(
    signed_in, staff, case, attachment_store, allowed
):
    from cases.models import ExceptionRequest

    response = signed_in(staff).post(
        reverse("case_request_exception", args=[case.reference]),
        {
            "allowed_exception": str(allowed.pk),
            "value": "80.00",
            "customer_ask": "Refund the fee",
            "justification": "See the letter",
            "files": [upload("letter.pdf", b"MZ this is not a pdf")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“letter.pdf”" in page and "See the letter" in page
    assert not ExceptionRequest.objects.exists()
    assert stored_files(attachment_store) == []
