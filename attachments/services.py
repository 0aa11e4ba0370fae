"""Every write on attachments: add files to an interaction or a request, remove one,
and remove what retention says is past its time.

Files and the database cannot share a transaction. The order is always:
1. check and re-encode (processing.prepare) — no storage, no database;
2. write the bytes under random keys (outside any transaction);
3. one transaction writes the rows (with the interaction or request they belong to);
   if it fails, the bytes written in step 2 are deleted again (`staged`).
Removal runs the other way: the row is marked removed and the event written in one
transaction, and the bytes are deleted after it commits. A process that dies between
leaves bytes behind a row marked removed; the retention sweep finishes those.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Case, EventKind, ExceptionRequest, Interaction, Role, Status
from cases.models import User as CaseUser
from cases.services.timeline import record_event

from .models import Attachment
from .processing import AttachmentRefused, Prepared, prepare
from .uploads import megabytes

__all__ = [
    "AttachmentRefused",
    "AttachmentError",
    "add_attachments",
    "can_remove",
    "check_batch",
    "delete_attachment",
    "purge_expired",
    "staged",
    "storage",
]


# A row marked removed whose bytes are still stored this long after is taken to be from
# a process that died between the two steps.
LEFTOVER_GRACE = timedelta(minutes=10)


class AttachmentError(Exception):
    """A rule refused the change (closed case, already removed, not allowed)."""


def storage() -> Storage:
    """Where the bytes live: STORAGES["attachments"] (local folder or S3-compatible)."""
    return storages["attachments"]


@dataclass
class StagedFile:
    """A prepared file whose bytes are already in storage, waiting for its row."""

    prepared: Prepared
    storage_key: str
    thumbnail_key: str


def _new_key() -> str:
    token = secrets.token_hex(16)
    # Two levels of folders keep any one directory small on a local disk.
    return f"{token[:2]}/{token[2:4]}/{token}"


def _remove_blobs(*keys: str) -> None:
    store = storage()
    for key in keys:
        if key:
            store.delete(key)


def check_batch(uploads: list[Any]) -> None:
    """Refuse a batch over the count or total size limit (per interaction or request)."""
    most = settings.CASEDESK_ATTACHMENT_MAX_FILES
    if len(uploads) > most:
        raise AttachmentRefused(
            ngettext("At most %(most)d file at a time.", "At most %(most)d files at a time.", most)
            % {"most": most}
        )
    total = sum(
        u.original_size if isinstance(u, Prepared) else int(getattr(u, "size", 0) or 0)
        for u in uploads
    )
    limit = settings.CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES
    if total > limit:
        raise AttachmentRefused(
            _("The files together are %(total)s, over the limit of %(limit)s.")
            % {"total": megabytes(total), "limit": megabytes(limit)}
        )


@contextmanager
def staged(uploads: Iterable[Any]) -> Iterator[list[StagedFile]]:
    """Check, re-encode and store `uploads`; yield them for the rows to be written.

    Use around the transaction that writes the rows: if anything inside raises (a refused
    interaction, a database error), the stored bytes are deleted again before the error
    propagates, so a rolled-back row never leaves a file behind.
    """
    batch = list(uploads)
    check_batch(batch)
    stored: list[StagedFile] = []
    try:
        for upload in batch:
            ready = upload if isinstance(upload, Prepared) else prepare(upload)
            key = storage().save(_new_key(), File(ready.body, name="file"))
            thumb_key = ""
            if ready.thumbnail is not None:
                thumb_key = storage().save(_new_key(), ContentFile(ready.thumbnail, name="t"))
            stored.append(StagedFile(prepared=ready, storage_key=key, thumbnail_key=thumb_key))
        yield stored
    except BaseException:
        for item in stored:
            _remove_blobs(item.storage_key, item.thumbnail_key)
        raise


def _parent_check(case: Case, interaction: Interaction | None, request: Any) -> None:
    if (interaction is None) == (request is None):
        raise AttachmentError(_("A file belongs to one interaction or one exception request."))
    parent_case_id = (interaction or request).case_id
    if parent_case_id != case.pk:
        raise AttachmentError(_("That interaction or request is on another case."))
    if case.status == Status.CLOSED:
        raise AttachmentError(_("This case is closed; files cannot be added to it."))


def add_attachments(
    *,
    by: CaseUser,
    case: Case,
    interaction: Interaction | None = None,
    request: ExceptionRequest | None = None,
    files: Iterable[Any],
) -> list[Attachment]:
    """Attach files to an interaction or an exception request on `case`.

    `files` are uploads (checked and stored here, the rows in their own transaction) or
    the StagedFile list from `staged(...)`, when the caller writes the interaction or the
    request and the rows in one transaction of its own. Raises AttachmentRefused for a
    file that is not accepted, AttachmentError when the case does not take files.
    """
    _parent_check(case, interaction, request)
    items = list(files)
    if not items:
        return []
    if all(isinstance(item, StagedFile) for item in items):
        return _create_rows(by=by, case=case, interaction=interaction, request=request, items=items)
    with staged(items) as ready, transaction.atomic():
        return _create_rows(by=by, case=case, interaction=interaction, request=request, items=ready)


def _create_rows(
    *,
    by: CaseUser,
    case: Case,
    interaction: Interaction | None,
    request: ExceptionRequest | None,
    items: list[StagedFile],
) -> list[Attachment]:
    rows = [
        Attachment(
            case=case,
            interaction=interaction,
            exception_request=request,
            uploaded_by=by,
            name=item.prepared.name,
            content_type=item.prepared.content_type,
            converted_from=item.prepared.converted_from,
            size=item.prepared.size,
            width=item.prepared.width,
            height=item.prepared.height,
            storage_key=item.storage_key,
            thumbnail_key=item.thumbnail_key,
        )
        for item in items
    ]
    return Attachment.objects.bulk_create(rows)


def can_remove(user: Any, attachment: Attachment) -> bool:
    """Who uploaded it, or a manager or admin (of a team that sees the case)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return attachment.uploaded_by_id == user.pk or user.role in {Role.MANAGER, Role.ADMIN}


def delete_attachment(attachment: Attachment, *, by: CaseUser, reason: str) -> Attachment:
    """Remove a file's bytes and keep its row: who removed it, when and why, as an event
    on the case's timeline. Removed once: a second attempt is refused."""
    reason = reason.strip()
    if not reason:
        raise AttachmentError(_("Say why the file is removed."))
    if not can_remove(by, attachment):
        raise AttachmentError(_("Only who added the file, or a manager, can remove it."))
    now = timezone.now()
    with transaction.atomic():
        claimed = Attachment.objects.filter(pk=attachment.pk, deleted_at__isnull=True).update(
            deleted_at=now, deleted_by=by, deleted_reason=reason
        )
        if claimed != 1:
            raise AttachmentError(_("This file was already removed."))
        record_event(
            attachment.case,
            actor=by,
            kind=EventKind.FILE_REMOVED,
            to_value=attachment.name[:200],
            note=reason,
        )
    _finish_removal(attachment.pk)
    attachment.refresh_from_db()
    return attachment


def _finish_removal(attachment_id: int) -> None:
    """Delete the bytes of a row already marked removed, then forget its keys."""
    keys = (
        Attachment.objects.filter(pk=attachment_id, deleted_at__isnull=False)
        .values_list("storage_key", "thumbnail_key")
        .first()
    )
    if keys is None:
        return
    _remove_blobs(*keys)
    Attachment.objects.filter(pk=attachment_id).update(storage_key="", thumbnail_key="")


def purge_expired(*, now: datetime | None = None, limit: int = 200) -> int:
    """Retention: remove the files of cases closed more than
    CASEDESK_ATTACHMENT_RETENTION_DAYS ago (0 keeps them forever), at most `limit` per
    call, one event per case. Also finishes removals a dead process left half done.
    Returns how many files it removed."""
    now = now or timezone.now()
    # Only removals older than a grace period: a younger one may be finishing right now in
    # the process that started it (counting it here too would count it twice).
    leftovers = list(
        Attachment.objects.filter(deleted_at__lt=now - LEFTOVER_GRACE)
        .exclude(storage_key="")
        .values_list("id", flat=True)[:limit]
    )
    for attachment_id in leftovers:
        _finish_removal(attachment_id)
    days = settings.CASEDESK_ATTACHMENT_RETENTION_DAYS
    if not days:
        return len(leftovers)
    cutoff = now - timedelta(days=days)
    due = (
        Attachment.objects.filter(
            deleted_at__isnull=True, case__status=Status.CLOSED, case__closed_at__lt=cutoff
        )
        .exclude(storage_key="")
        .order_by("id")
        .values_list("case_id", "id", "name")[: max(limit - len(leftovers), 0)]
    )
    by_case: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for case_id, attachment_id, name in due:
        by_case[case_id].append((attachment_id, name))
    removed = 0
    with translation.override(settings.LANGUAGE_CODE):  # kept beside the file
        reason = ngettext(
            "Kept %(days)d day after the case closed (retention).",
            "Kept %(days)d days after the case closed (retention).",
            days,
        ) % {"days": days}
    for case_id, rows in by_case.items():
        claimed = _claim_for_retention(case_id, rows, now=now, reason=reason)
        for attachment_id in claimed:
            _finish_removal(attachment_id)
        removed += len(claimed)
    return len(leftovers) + removed


@transaction.atomic
def _claim_for_retention(
    case_id: int, rows: list[tuple[int, str]], *, now: datetime, reason: str
) -> list[int]:
    """Mark one case's expired files removed (each by conditional update, so two sweeps
    never both claim one) and write one event naming them."""
    claimed: list[tuple[int, str]] = []
    for attachment_id, name in rows:
        if Attachment.objects.filter(pk=attachment_id, deleted_at__isnull=True).update(
            deleted_at=now, deleted_reason=reason
        ):
            claimed.append((attachment_id, name))
    if claimed:
        names = ", ".join(name for _, name in claimed)
        count = len(claimed)
        record_event(
            Case.objects.get(pk=case_id),
            actor=None,
            kind=EventKind.FILE_REMOVED,
            to_value=f"{count} file{'s' if count != 1 else ''}",
            note=f"{reason} {names}"[:2000],
        )
    return [attachment_id for attachment_id, _ in claimed]
