"""Other apps' share of a customer's data, for the export and for erasure.

An app that keeps data about a customer registers a `CustomerDataHook`: `export` returns
its rows (plain JSON-able dicts) and its files, `erase` removes or redacts its rows inside
the erasure's transaction (files are deleted once that transaction commits, so a rollback
never leaves rows pointing at deleted files).

Attachments (an app being built beside this one) are handled here without that app
knowing about privacy: if an installed app called `attachments` has a model with a file
field related to a case or an interaction, its files are exported and deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from cases.models import Customer

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

# How an attachment may point at its customer, tried in order.
CUSTOMER_PATHS = ("interaction__case__customer", "case__customer", "customer")


def _has_path(model: type[models.Model], path: str) -> bool:
    current: Any = model
    for part in path.split("__"):
        try:
            related = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not related.is_relation:
            return False
        current = related.related_model
    return current is Customer


def _attachment_models() -> Iterator[tuple[type[models.Model], str, list[str]]]:
    """(model, path to the customer, its file fields) for each attachments model with files."""
    for model in apps.get_app_config("attachments").get_models():
        files = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        path = next((p for p in CUSTOMER_PATHS if _has_path(model, p)), None)
        if files and path:
            yield model, path, files


def _plain(row: models.Model) -> dict[str, Any]:
    """A row's concrete fields as JSON-able values (files as their stored names)."""
    values: dict[str, Any] = {}
    for f in row._meta.concrete_fields:
        value = getattr(row, f.attname)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        values[f.attname] = value
    return values


def export_attachments(customer: Customer) -> HookExport:
    result = HookExport()
    for model, path, file_fields in _attachment_models():
        label = model._meta.model_name
        for row in model._default_manager.filter(**{path: customer}).order_by("pk"):
            result.rows.append({"model": label, **_plain(row)})
            for name in file_fields:
                stored = getattr(row, name)
                if stored:
                    base = stored.name.rsplit("/", 1)[-1]
                    result.files.append(
                        ExportFile(path=f"attachments/{row.pk}-{base}", open=_opener(stored))
                    )
    return result


def _opener(stored: Any) -> Callable[[], IO[bytes]]:
    return lambda: stored.storage.open(stored.name, "rb")


def erase_attachments(customer: Customer) -> None:
    for model, path, file_fields in _attachment_models():
        rows = list(model._default_manager.filter(**{path: customer}))
        doomed = [(getattr(r, n).storage, getattr(r, n).name) for r in rows for n in file_fields]
        model._default_manager.filter(pk__in=[r.pk for r in rows]).delete()
        transaction.on_commit(lambda doomed=doomed: _delete_files(doomed))  # type: ignore[misc]


def _delete_files(doomed: list[tuple[Any, str]]) -> None:
    for storage, name in doomed:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # a file already gone or a storage hiccup: say so, go on
            logger.exception("Could not delete attachment file %s", name)
