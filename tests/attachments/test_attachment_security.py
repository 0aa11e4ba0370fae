"""Safe by construction: access, content checks, serving headers, bombs, paths, sizes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from attachments import services
from attachments.models import Attachment
from attachments.processing import AttachmentRefused, prepare
from tests.attachment_fixtures import image_bytes, jpeg_with_gps, stored_files, upload

pytestmark = pytest.mark.django_db

POLYGLOT = (
    b"%PDF-1.4\n%<html><body><script>alert(document.cookie)</script></body></html>\n"
    b"1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
)


def _add(case, staff, *files):
    interaction = case.interactions.first()
    if interaction is None:
        from cases import services as case_services

        interaction = case_services.log_interaction(
            case, by=staff, channel="phone", direction="inbound", summary="s", demeanour="calm"
        )
    return services.add_attachments(by=staff, case=case, interaction=interaction, files=files)


def _log(client, case, files):
    return client.post(
        reverse("case_log_interaction", args=[case.reference]),
        {
            "channel": "phone",
            "direction": "inbound",
            "summary": "Sent us files",
            "demeanour": "calm",
            "minutes": "1",
            "files": files,
        },
    )


# Access -------------------------------------------------------------------------------


def test_another_teams_attachment_is_a_404_and_anonymous_must_sign_in(
    client, signed_in, staff, other_team_staff, case, attachment_store
):
    (attachment,) = _add(case, staff, upload("r.jpg", jpeg_with_gps()))
    urls = [
        reverse("attachment_download", args=[attachment.pk]),
        reverse("attachment_thumbnail", args=[attachment.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    outsider = signed_in(other_team_staff)
    for url in urls:
        assert outsider.get(url).status_code == 404
    removal = reverse("attachment_remove", args=[attachment.pk])
    assert outsider.post(removal, {f"a{attachment.pk}-reason": "x"}).status_code == 404
    attachment.refresh_from_db()
    assert attachment.deleted_at is None
    own = signed_in(staff)
    for url in urls:
        assert own.get(url).status_code == 200


# Content decides the type --------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("receipt.jpg", b"<html><body><script>alert(1)</script></body></html>"),
        ("receipt.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("receipt.jpg", b'<?xml version="1.0"?><svg onload="alert(1)"/>'),
        ("receipt", b"  <!DOCTYPE html><p>hello</p>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("notes.txt", b"\xff\xfe\x00n\x00o"),  # not UTF-8, with NULs
        ("photo.jpg", image_bytes("PNG")),  # a real image, but not what the name says
    ],
)
def test_files_whose_content_is_not_what_we_accept_are_refused(
    signed_in, staff, case, attachment_store, name, data
):
    response = _log(signed_in(staff), case, [upload(name, data, "image/jpeg")])
    assert response.status_code == 400
    assert f"“{name}”" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(attachment_store) == []


def test_polyglot_pdf_html_is_served_as_a_download_never_inline(
    signed_in, staff, case, attachment_store
):
    (attachment,) = _add(case, staff, upload("invoice.pdf", POLYGLOT, "text/html"))
    assert attachment.content_type == "application/pdf"
    response = signed_in(staff).get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == POLYGLOT


def test_images_are_shown_inline_text_downloaded_both_sandboxed(
    signed_in, staff, case, attachment_store
):
    photo, note = _add(
        case, staff, upload("p.png", image_bytes("PNG")), upload("n.txt", "café ☕".encode())
    )
    client = signed_in(staff)
    shown = client.get(reverse("attachment_download", args=[photo.pk]))
    assert shown["Content-Disposition"].startswith("inline;")
    assert shown["Content-Type"] == "image/png"
    text = client.get(reverse("attachment_download", args=[note.pk]))
    assert text["Content-Disposition"].startswith("attachment;")
    for response in (shown, text):
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache  # shared counter devices
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("method", ["post", "patch", "delete", "put"])
def test_a_file_and_its_thumbnail_answer_only_get_and_head(
    method, signed_in, staff, case, attachment_store
):
    (photo,) = _add(case, staff, upload("p.png", image_bytes("PNG")))
    client = signed_in(staff)
    for name in ("attachment_download", "attachment_thumbnail"):
        url = reverse(name, args=[photo.pk])
        assert getattr(client, method)(url).status_code == 405, name
        head = client.head(url)
        assert head.status_code == 200 and "no-store" in head["Cache-Control"], name
    photo.refresh_from_db()
    assert photo.deleted_at is None and photo.storage_key


# Decompression bombs ------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width×height pixels but carries one row of data: decoding it
    would fail, so a refusal that names the pixel count was decided from the header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = zlib.compress(b"\x00" + b"\x00" * 3 * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is rewritten to claim width×height."""
    data = bytearray(image_bytes("JPEG", (16, 16)))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize("make", [_png_header_only, _jpeg_claiming])
def test_a_100_megapixel_bomb_is_refused_from_its_header(settings, attachment_store, make):
    settings.CASEDESK_ATTACHMENT_MAX_PIXELS = 50_000_000
    with pytest.raises(AttachmentRefused, match="pixels"):
        prepare(
            upload("bomb.png" if make is _png_header_only else "bomb.jpg", make(10_000, 10_000))
        )
    assert stored_files(attachment_store) == []


@pytest.mark.parametrize("make", [_png_header_only, _jpeg_claiming])
def test_our_own_pixel_limit_applies_below_pillows(settings, attachment_store, make):
    """Pillow's guard starts at 89 megapixels; ours (a setting) refuses 60 just as fast."""
    settings.CASEDESK_ATTACHMENT_MAX_PIXELS = 50_000_000
    with pytest.raises(AttachmentRefused, match="more than the 50 megapixels"):
        prepare(upload("big.png" if make is _png_header_only else "big.jpg", make(8_000, 7_500)))


def test_bomb_through_the_form_is_a_clear_400(signed_in, staff, case, attachment_store):
    response = _log(signed_in(staff), case, [upload("bomb.png", _png_header_only(10_000, 10_000))])
    assert response.status_code == 400
    assert "pixels" in response.content.decode()


# Names never become paths -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.txt",
        "..\\..\\windows\\win.txt",
        "/tmp/absolute.txt",
        "sub/dir/../../../escape.txt",
        "\u202etxt.exe",
        "....txt",
        ".hidden.txt",
    ],
)
def test_a_path_in_the_file_name_never_leaves_the_storage_root(
    signed_in, staff, case, attachment_store, tmp_path, name
):
    response = _log(signed_in(staff), case, [upload(name, b"just words")])
    assert response.status_code in {302, 400}
    for path in stored_files(attachment_store):
        assert path.resolve().is_relative_to(attachment_store.resolve())
    outside = [
        p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(attachment_store)
    ]
    assert outside == []
    assert not Path("/tmp/absolute.txt").exists()
    for attachment in Attachment.objects.all():
        assert "/" not in attachment.name and "\\" not in attachment.name
        assert ".." not in attachment.storage_key


# Size limits --------------------------------------------------------------------------

PASSED_ON: list[int] = []


class ProbeHandler(FileUploadHandler):
    """Sits after the limit and records how many bytes of each file got past it, i.e.
    what Django's own handlers could have kept in memory or written to disk."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        PASSED_ON.append(0)

    def receive_data_chunk(self, raw_data, start):
        PASSED_ON[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def probed(settings, tmp_path):
    PASSED_ON.clear()
    temp = tmp_path / "upload-temp"
    temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every byte that passes goes to disk
    settings.CASEDESK_ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES = 2 * 1024 * 1024
    settings.FILE_UPLOAD_HANDLERS = [
        "attachments.uploads.LimitedUploadHandler",
        f"{__name__}.ProbeHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    return temp


def test_an_oversized_file_is_refused_without_filling_the_disk(
    signed_in, staff, case, attachment_store, probed
):
    huge = b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024)
    response = _log(signed_in(staff), case, [upload("huge.jpg", huge)])
    assert response.status_code == 400
    page = response.content.decode()
    assert "“huge.jpg” is over the limit of 1.0 MB per file" in page
    assert "Sent us files" in page  # what was typed comes back
    assert PASSED_ON and max(PASSED_ON) <= 1024 * 1024  # never more than the limit
    assert list(probed.iterdir()) == []  # the temporary file is gone
    assert stored_files(attachment_store) == [] and not case.interactions.exists()


def test_files_over_the_total_are_refused_and_the_rest_of_the_body_is_not_kept(
    signed_in, staff, case, attachment_store, probed
):
    part = b"\xff\xd8\xff" + b"\x00" * (900 * 1024)
    files = [upload(f"p{i}.jpg", part) for i in range(5)]
    response = _log(signed_in(staff), case, files)
    assert response.status_code == 400
    assert "over the limit of 2.0 MB" in response.content.decode()
    assert sum(PASSED_ON) <= 2 * 1024 * 1024
    assert list(probed.iterdir()) == []
    assert stored_files(attachment_store) == [] and not case.interactions.exists()


def test_behind_nginx_the_bytes_go_by_x_accel_redirect_after_the_access_check(
    settings, signed_in, staff, other_team_staff, case, attachment_store
):
    settings.CASEDESK_ATTACHMENTS_ACCEL_PREFIX = "/protected-attachments/"
    (attachment,) = _add(case, staff, upload("invoice.pdf", POLYGLOT))
    url = reverse("attachment_download", args=[attachment.pk])
    response = signed_in(staff).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-attachments/{attachment.storage_key}"
    assert response.content == b""  # nginx sends the bytes, from its internal location
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert signed_in(other_team_staff).get(url).status_code == 404
