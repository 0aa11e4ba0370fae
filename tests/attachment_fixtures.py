"""Files for attachment tests, made here: photos with EXIF GPS, bombs, polyglots."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Where a phone's photo says it was taken (EXIF GPS IFD, tag 0x8825).
GPS_IFD = 0x8825
LONDON = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}


def jpeg_with_gps(size: tuple[int, int] = (640, 480), *, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS position, camera make and orientation."""
    image = Image.new("RGB", size, (200, 40, 40))
    # A marker in the top-left corner, to tell which way up the stored image is.
    image.paste((0, 0, 255), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update(LONDON)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "green").save(out, fmt)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def attachment_store(settings, tmp_path: Path) -> Path:
    """A fresh attachments folder for this test, returned so the test can look inside."""
    root = tmp_path / "attachments"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())
