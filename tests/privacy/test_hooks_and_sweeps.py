"""Other apps' data through the hook; the export sweep; the admins' home card."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Customer
from privacy import export as builder
from privacy import hooks, retention, services
from privacy.models import SubjectAccessExport
from privacy.storage import export_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_hook():
    """An app that keeps a photo per customer (as attachments will), in memory."""
    photos: dict[int, bytes] = {}

    def erase(customer):
        photos.pop(customer.pk, None)

    hook = hooks.CustomerDataHook(
        name="photos",
        export=lambda customer: hooks.HookExport(
            rows=[{"customer": customer.pk, "size": len(photos.get(customer.pk, b""))}],
            files=[hooks.ExportFile("attachments/receipt.jpg", lambda: io.BytesIO(b"JPEG"))],
        ),
        erase=erase,
    )
    hooks.register(hook)
    yield photos
    hooks._REGISTERED.pop("photos")


def test_a_registered_hook_adds_its_rows_and_files_and_is_erased(photo_hook, customer, admin_user):
    photo_hook[customer.pk] = b"JPEG"
    export = services.request_export(customer, by=admin_user)
    builder.build(export.pk)
    export.refresh_from_db()
    with export_storage().open(export.file_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert json.loads(archive.read("data.json"))["photos"] == [{"customer": customer.pk, "size": 4}]
    assert archive.read("attachments/receipt.jpg") == b"JPEG"

    services.erase_customer(customer, by=admin_user, reason="Asked")
    assert customer.pk not in photo_hook


def test_the_attachments_hook_is_there_exactly_when_the_app_is():
    from django.apps import apps

    names = [hook.name for hook in hooks.customer_hooks()]
    assert ("attachments" in names) == apps.is_installed("attachments")


def test_an_export_a_dead_worker_left_building_is_built_again(customer, admin_user):
    export = services.request_export(customer, by=admin_user)
    assert services.claim_build(export.pk)  # ... and the worker died here
    assert services.sweep_exports() == []
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert services.sweep_exports() == [export.pk]
        assert builder.build(export.pk)
    export.refresh_from_db()
    assert (export.state, export.attempts) == ("ready", 2)


def test_admins_home_reports_retention_others_do_not_see_it(signed_in, admin_user, staff, manager):
    retention.run_retention()
    body = signed_in(admin_user).get("/").content.decode()
    assert "Data retention" in body and 'id="retention-progress"' in body
    assert "Last complete pass" in body
    for user in (staff, manager):
        assert "Data retention" not in signed_in(user).get("/").content.decode()


def test_the_retention_settings_are_edited_in_the_django_admin(signed_in, admin_user):
    client = signed_in(admin_user)
    url = "/admin/privacy/retentionsettings/1/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"enabled": "on", "closed_case_years": "7", "inactive_customer_years": "0"}
    )
    assert response.status_code == 200  # refused: at least one year, said beside the field
    assert services.retention_settings().closed_case_years == 6
    client.post(url, {"enabled": "on", "closed_case_years": "7", "inactive_customer_years": "2"})
    saved = services.retention_settings()
    assert (saved.closed_case_years, saved.inactive_customer_years) == (7, 2)
    assert saved.updated_by == admin_user


def test_an_erased_customer_keeps_their_row(customer, admin_user):
    services.erase_customer(customer, by=admin_user, reason="Asked")
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert SubjectAccessExport.objects.count() == 0
