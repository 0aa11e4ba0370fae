"""Reads of attachments for pages that show them beside interactions and requests."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import Attachment


def attachments_prefetch(lookup: str) -> Prefetch:
    """Prefetch `lookup` (e.g. "interaction__attachments") with who removed each file:
    one query for all the files on a page, whatever their number."""
    return Prefetch(lookup, queryset=Attachment.objects.select_related("deleted_by"))
