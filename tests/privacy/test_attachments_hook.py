"""With the attachments app installed: a customer's files are in their export, and erasure
removes the bytes and the file names (runs once that app is merged; skipped before)."""

from __future__ import annotations

import importlib
import io
import json
import zipfile

import pytest
from django.apps import apps

from cases.models import Interaction
from privacy import export as builder
from privacy import services
from privacy.storage import export_storage
from tests.privacy.world import DANA, find_everywhere

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not apps.is_installed("attachments"), reason="the attachments app is not installed"
    ),
]


def test_files_are_exported_and_erased_with_the_customer(
    world, staff, admin_user, attachment_store, django_capture_on_commit_callbacks
):
    # Imported by name: neither module exists until the attachments app is merged.
    attachment_services = importlib.import_module("attachments.services")
    fixtures = importlib.import_module("tests.attachment_fixtures")
    image_bytes, stored_files, upload = fixtures.image_bytes, fixtures.stored_files, fixtures.upload

    interaction = Interaction.objects.filter(case=world.cases[0]).first()
    (attachment,) = attachment_services.add_attachments(
        by=staff,
        case=world.cases[0],
        interaction=interaction,
        files=[upload(f"{DANA.name} receipt.png", image_bytes("PNG"))],
    )
    assert stored_files(attachment_store)

    export = services.request_export(world.customer, by=admin_user)
    assert builder.build(export.pk)
    export.refresh_from_db()
    with export_storage().open(export.file_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("data.json"))
    assert [row["id"] for row in data["attachments"]] == [attachment.pk]
    assert any(name.startswith(f"attachments/{attachment.pk}-") for name in archive.namelist())

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_customer(world.customer, by=admin_user, reason="Asked by letter")

    attachment.refresh_from_db()
    assert (attachment.storage_key, attachment.name) == ("", "[erased]")
    assert attachment.deleted_at is not None
    assert stored_files(attachment_store) == []
    assert find_everywhere(DANA.needles) == []
