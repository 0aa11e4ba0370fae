"""Settings for attachments (photos and files on cases; see attachments/ and the README's
"Photos and files"), read from the environment like the rest of casedesk/settings.py.

Files are never served from a public URL: the download view checks access, then streams
the bytes (or hands nginx an X-Accel-Redirect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .env import env_int, env_str


def _storage(var_dir: Path) -> dict[str, Any]:
    """STORAGES["attachments"]: a local folder, or any S3-compatible bucket."""
    bucket = env_str("CASEDESK_ATTACHMENTS_S3_BUCKET", "")
    if bucket:
        # django-storages + boto3 (requirements-s3.txt). Objects stay private; credentials
        # come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as boto3 reads them.
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": env_str("CASEDESK_ATTACHMENTS_S3_ENDPOINT_URL", "") or None,
                "region_name": env_str("CASEDESK_ATTACHMENTS_S3_REGION", "") or None,
                "location": env_str("CASEDESK_ATTACHMENTS_S3_PREFIX", "attachments"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("CASEDESK_ATTACHMENTS_DIR", str(var_dir / "attachments")),
            # No view serves this prefix: a file has no URL but the checked download.
            "base_url": "/no-public-url/",
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }


def attachment_settings(*, var_dir: Path, behind_proxy: bool) -> dict[str, Any]:
    """Every attachments setting; "STORAGE" is the entry for STORAGES["attachments"]."""
    return {
        "STORAGE": _storage(var_dir),
        "CASEDESK_ATTACHMENT_MAX_BYTES": env_int(
            "CASEDESK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1
        ),
        "CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES": env_int(
            "CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES", 25 * 1024 * 1024, minimum=1
        ),
        "CASEDESK_ATTACHMENT_MAX_FILES": env_int("CASEDESK_ATTACHMENT_MAX_FILES", 10, minimum=1),
        # Decompression-bomb guard: an image declaring more pixels is refused from its header.
        "CASEDESK_ATTACHMENT_MAX_PIXELS": env_int(
            "CASEDESK_ATTACHMENT_MAX_PIXELS", 50_000_000, minimum=1
        ),
        # Stored photos are re-encoded at most this long on their long edge; 2000 lets a
        # 12-megapixel (4032 px) photo decode at half scale, the cheap path.
        "CASEDESK_ATTACHMENT_IMAGE_MAX_EDGE": env_int(
            "CASEDESK_ATTACHMENT_IMAGE_MAX_EDGE", 2000, minimum=320
        ),
        # Days a closed case keeps its files; 0 keeps them forever.
        "CASEDESK_ATTACHMENT_RETENTION_DAYS": env_int(
            "CASEDESK_ATTACHMENT_RETENTION_DAYS", 0, minimum=0
        ),
        "CASEDESK_ATTACHMENT_PURGE_BATCH": env_int(
            "CASEDESK_ATTACHMENT_PURGE_BATCH", 200, minimum=1
        ),
        # Behind nginx: "/protected-attachments/" makes downloads an X-Accel-Redirect to that
        # internal location, so Python never carries the bytes.
        "CASEDESK_ATTACHMENTS_ACCEL_PREFIX": (
            env_str("CASEDESK_ATTACHMENTS_ACCEL_PREFIX", "") if behind_proxy else ""
        ),
        # The first handler stops a file at the size limit, so an oversized upload never
        # fills the disk; the others are Django's (memory up to 2.5 MB, then a temp file).
        "FILE_UPLOAD_HANDLERS": [
            "attachments.uploads.LimitedUploadHandler",
            "django.core.files.uploadhandler.MemoryFileUploadHandler",
            "django.core.files.uploadhandler.TemporaryFileUploadHandler",
        ],
    }
