"""Property-based: whatever the file names, sizes and bytes, the answer is never a 5xx,
and whatever is stored stays inside the storage root under a random key."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from attachments.models import Attachment
from attachments.names import MAX_NAME_LENGTH, sanitise_name
from tests.attachment_fixtures import image_bytes, stored_files

pytestmark = pytest.mark.django_db

LIMIT = 64 * 1024
PNG = image_bytes("PNG", (8, 8))
JPEG = image_bytes("JPEG", (8, 8))

names = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=300
) | st.sampled_from(
    ["../x.png", "a/b\\c.jpg", ".", "..", "CON.txt", "x.jpg\x00.txt", "\u202egpj.exe"]
)

contents = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([PNG, JPEG, b"%PDF-1.7\n%%EOF\n"]),
    st.builds(
        lambda head, n: head + b"\x00" * n,
        st.sampled_from([PNG[:40], JPEG[:40], b"RIFF\x00\x00\x00\x00WEBP"]),
        st.integers(0, LIMIT * 2),
    ),
)


BOUNDARY = "casedesk-property-boundary"


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    parts = []
    for key, value in fields.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, data in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode("utf-8", "surrogatepass") + data + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(st.tuples(names, contents), min_size=1, max_size=4))
def test_any_names_sizes_and_bytes_never_make_a_server_error(
    settings, signed_in, staff, case, attachment_store, files
):
    settings.CASEDESK_ATTACHMENT_MAX_BYTES = LIMIT
    settings.CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES = 2 * LIMIT
    client = signed_in(staff)
    # The body is written by hand: the test client would clean the names before sending,
    # and a browser (or anything else) may send whatever it likes.
    body = multipart(
        {
            "channel": "phone",
            "direction": "inbound",
            "summary": "Files",
            "demeanour": "calm",
            "minutes": "1",
        },
        files,
    )
    response = client.generic(
        "POST",
        reverse("case_log_interaction", args=[case.reference]),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code in {302, 400}, response.status_code
    for path in stored_files(attachment_store):
        assert path.resolve().is_relative_to(attachment_store.resolve())
    keys = {a.storage_key for a in Attachment.objects.all()} | {
        a.thumbnail_key for a in Attachment.objects.exclude(thumbnail_key="")
    }
    assert {str(p.relative_to(attachment_store)) for p in stored_files(attachment_store)} == keys


@given(st.text(max_size=1000))
def test_a_sanitised_name_is_short_single_and_visible(raw):
    name = sanitise_name(raw)
    assert 0 < len(name) <= MAX_NAME_LENGTH
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert all(ch.isprintable() or ch == " " for ch in name)
