"""Where export files live: the `privacy_exports` storage if STORAGES names one (several
web and worker machines need a shared one, e.g. S3), else a private folder on this machine
(CASEDESK_EXPORT_DIR). Never the public media storage: files leave only through the
download view, once."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages

logger = logging.getLogger(__name__)


def export_storage() -> Storage:
    try:
        return storages["privacy_exports"]
    except InvalidStorageError:
        return FileSystemStorage(location=settings.CASEDESK_EXPORT_DIR)


def delete_export_file(name: str) -> None:
    if not name:
        return
    try:
        export_storage().delete(name)
    except Exception:  # already gone, or the store hiccuped: the sweep tries again
        logger.exception("Could not delete export file %s", name)
