from typing import Any

from django import template

from attachments.models import Attachment
from attachments.selectors import files_of
from attachments.services import can_remove

register = template.Library()

_ICONS = {"application/pdf": "bi-file-earmark-pdf", "text/plain": "bi-file-earmark-text"}


@register.filter
def removable_by(attachment: Attachment, user: Any) -> bool:
    return can_remove(user, attachment)


@register.filter
def files(row: Any) -> list[Attachment]:
    """`request|files`: the files on an interaction or exception request (prefetched or not)."""
    return files_of(row)


@register.filter
def file_icon(attachment: Attachment) -> str:
    return _ICONS.get(attachment.content_type, "bi-file-earmark")
