"""Subject-access export: everything about the customer, nothing about anyone else,
downloadable once by the person who asked, for a limited time."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Case,
    CaseEvent,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Interaction,
    Reminder,
)
from privacy import export as builder
from privacy import services
from privacy.models import AccessLogEntry, PrivacyEvent, SubjectAccessExport
from privacy.storage import export_storage
from tests.privacy.world import DANA, OTHER

pytestmark = pytest.mark.django_db


def built(customer, by) -> tuple[dict, str, SubjectAccessExport]:
    export = services.request_export(customer, by=by)
    assert builder.build(export.pk)
    export.refresh_from_db()
    with export_storage().open(export.file_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("data.json"))
    return data, archive.read("summary.html").decode(), export


def ids(rows) -> set[int]:
    return {row["id"] for row in rows}


def test_the_export_holds_every_item_about_the_customer_and_nothing_else(
    world, bystander, admin_user, staff, manager, signed_in
):
    signed_in(admin_user).get(world.cases[0].get_absolute_url())
    of_customer = {"case__customer": world.customer}

    data, html, export = built(world.customer, admin_user)

    assert data["customer"]["name"] == DANA.name
    assert {f["code"] for f in data["customer"]["flags"]} == {"frequent_returner", "two_staff"}
    reason = f"{DANA.name} threw the {DANA.phrase} at a colleague"
    for flag in data["customer"]["flags"]:
        assert (flag["set_by"], flag["reason"]) == (str(staff), reason)
        assert flag["set_at"]
    [cleared] = data["customer"]["flags_cleared"]
    assert (cleared["code"], cleared["set_by"], cleared["cleared_by"]) == (
        "vip",
        str(staff),
        str(manager),
    )
    assert cleared["cleared_reason"] == f"Not valued after the {DANA.phrase} incident"
    assert f"Two staff present (set by {staff} on " in html and f"reason: {reason}" in html
    assert "Flags taken off" in html and f"by {manager}: Not valued after" in html
    assert ids(data["cases"]) == {case.pk for case in world.cases}
    expected = {
        "interactions": Interaction.objects.filter(**of_customer),
        "exception_requests": ExceptionRequest.objects.filter(**of_customer),
        "tasks": FollowUpTask.objects.filter(**of_customer),
        "feedback": FeedbackRequest.objects.filter(**of_customer),
        "timeline": CaseEvent.objects.filter(**of_customer),
        "emails": Reminder.objects.filter(kind__in=["feedback", "customer_update"], **of_customer),
    }
    for section, rows in expected.items():
        assert ids(data[section]) == set(rows.values_list("pk", flat=True)), section
    assert len(data["exception_requests"]) == 3 and len(data["emails"]) == 3
    assert data["access_log"][0]["object_type"] == "case"
    assert data["case_studies"][0]["title"] == f"The {DANA.phrase} saga"
    text = json.dumps(data)
    for needle in (DANA.name, DANA.email, DANA.phone, DANA.phrase):
        assert needle in text and needle in html
    for needle in OTHER.needles:
        assert needle not in text and needle not in html
    other_cases = Case.objects.filter(customer=bystander.customer).values_list("pk", flat=True)
    assert not ids(data["cases"]) & set(other_cases)


def test_each_export_is_a_line_on_the_customers_data_protection_record(world, admin_user):
    built(world.customer, admin_user)

    event = PrivacyEvent.objects.get(customer=world.customer)
    assert (event.kind, event.actor) == ("export_requested", admin_user)


def test_downloadable_once_by_the_requester(world, admin_user, signed_in):
    _, _, export = built(world.customer, admin_user)
    client = signed_in(admin_user)
    url = reverse("privacy_export_download", args=[export.pk])

    first = client.post(url)
    assert first.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(first.streaming_content))).namelist()[:2] == [
        "data.json",
        "summary.html",
    ]
    second = client.post(url, follow=True)
    assert b"already been downloaded or has expired" in second.content
    # Opened twice: the download, then the export page the refused second try went back to.
    assert AccessLogEntry.objects.filter(object_type="export", object_id=export.pk).count() == 2
    # The sweep deletes the spent file.
    services.sweep_exports()
    assert not export_storage().exists(export.file_name)


def test_an_export_not_downloaded_in_time_expires(world, admin_user, signed_in, settings):
    _, _, export = built(world.customer, admin_user)
    later = timezone.now() + timedelta(hours=settings.CASEDESK_EXPORT_HOURS, minutes=1)
    with time_machine.travel(later):
        client = signed_in(admin_user)  # a new session: the first one has ended by then
        response = client.post(reverse("privacy_export_download", args=[export.pk]), follow=True)
        assert b"already been downloaded or has expired" in response.content
        services.sweep_exports()
    export.refresh_from_db()
    assert export.state == "expired" and export.file_name == ""


def test_erasing_the_customer_deletes_a_waiting_export(
    world, admin_user, django_capture_on_commit_callbacks
):
    _, _, export = built(world.customer, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_customer(world.customer, by=admin_user, reason="Asked")
    export.refresh_from_db()
    assert export.state == "expired"
    assert not export_storage().exists(export.file_name)
    with pytest.raises(services.NotAllowed):
        services.request_export(world.customer, by=admin_user)


def test_the_profile_shows_the_latest_exports_to_those_who_may_export(
    world, admin_user, staff, signed_in
):
    built(world.customer, admin_user)
    body = signed_in(admin_user).get(world.customer.get_absolute_url()).content.decode()
    assert "Subject-access export requested" in body
    body = signed_in(staff).get(world.customer.get_absolute_url()).content.decode()
    assert "Subject-access export requested" not in body
