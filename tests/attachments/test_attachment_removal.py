"""Removing a file: an event on the timeline (who, when, why), bytes gone, row kept.
Retention: the files of cases closed long enough ago, removed in batches by Celery beat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from attachments import services
from attachments.models import Attachment
from cases import services as case_services
from cases.models import Case, CaseEvent, EventKind
from tests.attachment_fixtures import image_bytes, stored_files, upload
from tests.cases.test_views_forms import assert_kept, field_error, form_on
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _with_files(case, staff, n: int = 1):
    interaction = case_services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="s", demeanour="calm"
    )
    files = [upload(f"photo{i}.png", image_bytes("PNG")) for i in range(n)]
    return services.add_attachments(by=staff, case=case, interaction=interaction, files=files)


def _close(case, *, days_ago: int) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome="within_policy", resolved_at=when, closed_at=when
    )


def test_removing_a_file_is_a_timeline_event_and_keeps_its_metadata(
    signed_in, staff, case, attachment_store
):
    (attachment,) = _with_files(case, staff)
    assert len(stored_files(attachment_store)) == 2
    client = signed_in(staff)
    url = reverse("attachment_remove", args=[attachment.pk])
    response = client.post(url, {f"a{attachment.pk}-reason": "Wrong customer's receipt"})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.deleted_by == staff and attachment.deleted_at is not None
    assert (attachment.storage_key, attachment.thumbnail_key) == ("", "")
    assert attachment.name == "photo0.png" and attachment.size > 0  # metadata kept
    assert stored_files(attachment_store) == []
    event = CaseEvent.objects.get(case=case, kind=EventKind.FILE_REMOVED)
    assert (event.actor, event.to_value, event.note) == (
        staff,
        "photo0.png",
        "Wrong customer's receipt",
    )
    page = client.get(case.get_absolute_url()).content.decode()
    assert "File removed" in page and "Wrong customer&#x27;s receipt" in page
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404
    # Removed once: a second try is refused and writes no second event.
    client.post(url, {f"a{attachment.pk}-reason": "again"})
    assert CaseEvent.objects.filter(kind=EventKind.FILE_REMOVED).count() == 1


def test_removal_needs_a_reason_and_the_uploader_or_a_manager(
    signed_in, staff, colleague, manager, case, attachment_store
):
    (attachment,) = _with_files(case, staff)
    url = reverse("attachment_remove", args=[attachment.pk])
    signed_in(staff).post(url, {f"a{attachment.pk}-reason": "  "})
    signed_in(colleague).post(url, {f"a{attachment.pk}-reason": "not mine"})
    attachment.refresh_from_db()
    assert attachment.deleted_at is None
    signed_in(manager).post(url, {f"a{attachment.pk}-reason": "Duplicate"})
    attachment.refresh_from_db()
    assert attachment.deleted_by == manager


@pytest.mark.parametrize("typed", ["   ", "Wrong receipt, " + "x" * 1000])
def test_a_removal_without_a_usable_reason_asks_again_beside_the_field(
    typed, signed_in, staff, case, attachment_store
):
    """Not a flash message on the case page (where the file may be pages down the
    timeline): a page that asks for the reason again, with what was typed kept."""
    (attachment,) = _with_files(case, staff)
    field = f"a{attachment.pk}-reason"
    url = reverse("attachment_remove", args=[attachment.pk])
    response = signed_in(staff).post(url, {field: typed})
    assert response.status_code == 400 and "no-store" in response["Cache-Control"]
    form = form_on(response, f'action="{url}"')
    expected = "This field is required." if not typed.strip() else "at most 1000 characters"
    assert expected in field_error(form, field)
    assert "Up to 1,000 characters." in form
    if typed.strip():
        assert_kept(form, {field: typed})
    attachment.refresh_from_db()
    assert attachment.deleted_at is None and attachment.storage_key
    assert not CaseEvent.objects.filter(kind=EventKind.FILE_REMOVED).exists()


def test_retention_removes_files_of_cases_closed_long_enough_ago_in_batches(
    settings, staff, customer, category, attachment_store
):
    settings.CASEDESK_ATTACHMENT_RETENTION_DAYS = 90
    old: Any = CaseFactory(
        team=customer.team, customer=customer, created_by=staff, category=category
    )
    recent: Any = CaseFactory(
        team=customer.team, customer=customer, created_by=staff, category=category
    )
    _with_files(old, staff, n=3)
    _with_files(recent, staff, n=1)
    _close(old, days_ago=91)
    _close(recent, days_ago=10)
    now = timezone.now()
    assert services.purge_expired(now=now, limit=2) == 2  # a batch stops at its limit
    assert services.purge_expired(now=now, limit=2) == 1
    assert services.purge_expired(now=now, limit=2) == 0
    gone = Attachment.objects.filter(case=old)
    assert all(a.deleted_at and a.storage_key == "" and a.deleted_by is None for a in gone)
    assert Attachment.objects.get(case=recent).storage_key != ""
    assert len(stored_files(attachment_store)) == 2  # the recent case's photo and thumbnail
    events = CaseEvent.objects.filter(case=old, kind=EventKind.FILE_REMOVED).order_by("id")
    assert [e.to_value for e in events] == ["2 files", "1 file"]
    assert all("retention" in e.note and e.actor is None for e in events)


def test_retention_off_by_default_keeps_everything(settings, staff, case, attachment_store):
    assert settings.CASEDESK_ATTACHMENT_RETENTION_DAYS == 0
    _with_files(case, staff)
    _close(case, days_ago=3650)
    assert services.purge_expired(now=timezone.now(), limit=100) == 0
    assert len(stored_files(attachment_store)) == 2


def test_a_removal_left_half_done_is_finished_by_the_sweep(staff, case, attachment_store):
    """A process that died after marking the row removed but before deleting the bytes."""
    (attachment,) = _with_files(case, staff)
    Attachment.objects.filter(pk=attachment.pk).update(
        deleted_at=timezone.now(), deleted_reason="Wrong photo"
    )
    # Not while the process that removed it may still be finishing...
    assert services.purge_expired(now=timezone.now(), limit=10) == 0
    assert len(stored_files(attachment_store)) == 2
    # ...but once that is long past.
    later = timezone.now() + services.LEFTOVER_GRACE + timedelta(seconds=1)
    assert services.purge_expired(now=later, limit=10) == 1
    assert stored_files(attachment_store) == []
    attachment.refresh_from_db()
    assert attachment.storage_key == ""


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_task_on_a_real_worker_removes_expired_files(
    settings, worker, staff, case, attachment_store
):
    import time

    from attachments.tasks import purge_expired_attachments
    from casedesk.celery import app

    assert any(
        entry["task"] == "attachments.tasks.purge_expired_attachments"
        for entry in app.conf.beat_schedule.values()
    )
    settings.CASEDESK_ATTACHMENT_RETENTION_DAYS = 30
    _with_files(case, staff, n=2)
    _close(case, days_ago=31)
    purge_expired_attachments.delay()
    deadline = time.monotonic() + 30
    while Attachment.objects.filter(deleted_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker never removed the expired files"
        time.sleep(0.1)
    while stored_files(attachment_store):
        assert time.monotonic() < deadline, "rows marked removed but the bytes stayed"
        time.sleep(0.1)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.FILE_REMOVED).count() == 1
