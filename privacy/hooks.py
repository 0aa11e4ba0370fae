"""Other apps' share of a customer's data, for the export and for erasure.

An app that keeps data about a customer registers a `CustomerDataHook`: `export` returns
its rows (plain JSON-able dicts) and its files, `erase` removes or redacts its rows inside
the erasure's transaction (files are deleted once that transaction commits, so a rollback
never leaves rows pointing at deleted files).

Attachments (an app built beside this one) are handled here, so that app needs to know
nothing about privacy: when it is installed, its rows and files are exported, and erased
the way it removes a file itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from cases.models import Case, Customer

logger = logging.getLogger(__name__)


@dataclass
class ExportFile:
    """A file for the ZIP: its path inside the archive and how to open it."""

    path: str
    open: Callable[[], IO[bytes]]


@dataclass
class HookExport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    files: list[ExportFile] = field(default_factory=list)


@dataclass
class CustomerDataHook:
    name: str
    export: Callable[[Customer], HookExport]
    erase: Callable[[Customer], None]


_REGISTERED: dict[str, CustomerDataHook] = {}


def register(hook: CustomerDataHook) -> None:
    """Called from an app's AppConfig.ready(); a second registration under a name wins."""
    _REGISTERED[hook.name] = hook


def customer_hooks() -> Iterator[CustomerDataHook]:
    yield from _REGISTERED.values()
    if "attachments" not in _REGISTERED and apps.is_installed("attachments"):
        yield CustomerDataHook(
            name="attachments", export=export_attachments, erase=erase_attachments
        )


# Attachments ---------------------------------------------------------------------------
# The attachments app keeps each file's bytes in its own storage under random keys and a
# row per file (who, when, its name); removing a file marks the row removed (when, why),
# deletes the bytes and forgets the keys, and a sweep of its own finishes a removal a dead
# process left half done. Erasure follows the same steps, so that sweep backs it too.

# Kept beside each removed file on the case's timeline, in the business's language.
ERASED_REASON = gettext_lazy("The customer's personal data was erased.")


def _attachment_rows(customer: Customer) -> Any:
    from attachments.models import Attachment

    return Attachment.objects.filter(case__customer=customer)


def export_attachments(customer: Customer) -> HookExport:
    from attachments.services import storage

    result = HookExport()
    rows = _attachment_rows(customer).select_related("uploaded_by").order_by("uploaded_at", "id")
    for row in rows:
        result.rows.append(
            {
                "id": row.pk,
                "case": Case(pk=row.case_id).reference,
                "interaction": row.interaction_id,
                "exception_request": row.exception_request_id,
                "name": row.name,
                "content_type": row.content_type,
                "size": row.size,
                "uploaded_at": row.uploaded_at,
                "uploaded_by": str(row.uploaded_by),
                "removed_at": row.deleted_at,
                "removed_because": row.deleted_reason,
            }
        )
        if row.storage_key:
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in row.name)[:80]
            result.files.append(
                ExportFile(
                    path=f"attachments/{row.pk}-{safe}", open=_opener(storage(), row.storage_key)
                )
            )
    return result


def _opener(store: Any, key: str) -> Callable[[], IO[bytes]]:
    return lambda: store.open(key, "rb")


def erase_attachments(customer: Customer) -> None:
    """Mark the customer's files removed (a conditional update: files already removed keep
    their record), drop their names, and delete the bytes once the erasure commits."""
    from django.utils import timezone

    rows = _attachment_rows(customer)
    with translation.override(settings.LANGUAGE_CODE):
        reason = str(ERASED_REASON)
    rows.filter(deleted_at__isnull=True).update(deleted_at=timezone.now(), deleted_reason=reason)
    rows.update(name="[erased]", deleted_reason=reason)
    ids = list(rows.exclude(storage_key="").values_list("pk", flat=True))
    transaction.on_commit(lambda: _delete_attachment_files(ids))


def _delete_attachment_files(ids: list[int]) -> None:
    """Delete the bytes, then forget the keys (the attachments sweep retries a failure)."""
    from attachments.models import Attachment
    from attachments.services import storage

    store = storage()
    for pk, *keys in Attachment.objects.filter(pk__in=ids).values_list(
        "pk", "storage_key", "thumbnail_key"
    ):
        try:
            for key in keys:
                if key:
                    store.delete(key)
        except Exception:  # the attachments sweep finishes removals left half done
            logger.exception("Could not delete the files of attachment %s", pk)
            continue
        Attachment.objects.filter(pk=pk).update(storage_key="", thumbnail_key="")
