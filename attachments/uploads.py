"""An upload handler that stops reading a file at the size limit.

Django's own handlers keep a file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and spill
the rest into a temporary file on disk, whatever its size: a 5 GB upload would write 5 GB
before any view could refuse it. This handler sits first in FILE_UPLOAD_HANDLERS and
passes chunks on only while the file, and the request's files together, stay within the
limits; past them it drops the file (SkipFile) or stops the upload (StopUpload), and
records why on the request so the view can say so next to the field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .names import sanitise_name


def upload_problems(request: HttpRequest) -> list[str]:
    """What the upload handler refused in this request (read after request.POST/FILES)."""
    return list(getattr(request, "attachment_upload_problems", []))


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def over_file_limit(name: str, limit: int) -> str:
    """The refusal of one file over the per-file limit (from the handler or the form)."""
    return _("“%(name)s” is over the limit of %(limit)s per file.") % {
        "name": name,
        "limit": megabytes(limit),
    }


class LimitedUploadHandler(FileUploadHandler):
    """Counts bytes per file and per request; never lets more than the limits through."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.file_limit = settings.CASEDESK_ATTACHMENT_MAX_BYTES
        self.total_limit = settings.CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES
        self.file_bytes = 0
        self.total_bytes = 0

    def _refuse(self, message: str) -> None:
        if self.request is not None:
            problems = getattr(self.request, "attachment_upload_problems", None)
            if problems is None:
                problems = []
                self.request.attachment_upload_problems = problems  # type: ignore[attr-defined]
            if message not in problems:
                problems.append(message)

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        # Nothing to decide yet: the form fields (the CSRF token among them) still have to
        # be read, and a body just over the limit may be mostly form fields.
        return None

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.file_bytes += len(raw_data)
        self.total_bytes += len(raw_data)
        name = sanitise_name(self.file_name or "")
        if self.total_bytes > self.total_limit:
            self._refuse(
                _(
                    "The files together are over the limit of %(limit)s; nothing was saved. "
                    "Send fewer or smaller files."
                )
                % {"limit": megabytes(self.total_limit)}
            )
            # The rest of the body is read and thrown away, never stored.
            raise StopUpload(connection_reset=False)
        if self.file_bytes > self.file_limit:
            self._refuse(over_file_limit(name, self.file_limit))
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file
