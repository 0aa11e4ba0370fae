"""Removal and retention at the same moment, on PostgreSQL with real threads: one wins,
one event, the bytes deleted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from attachments import services
from attachments.models import Attachment
from cases import services as case_services
from cases.models import Case, CaseEvent, EventKind
from tests.attachment_fixtures import image_bytes, stored_files, upload
from tests.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _photo(case, staff):
    interaction = case_services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="s", demeanour="calm"
    )
    (attachment,) = services.add_attachments(
        by=staff, case=case, interaction=interaction, files=[upload("a.png", image_bytes("PNG"))]
    )
    return attachment


def test_two_removals_at_once_remove_once_with_one_event(staff, manager, case, attachment_store):
    attachment = _photo(case, staff)
    results = race(
        lambda: services.delete_attachment(
            Attachment.objects.get(pk=attachment.pk), by=staff, reason="Wrong photo"
        ),
        lambda: services.delete_attachment(
            Attachment.objects.get(pk=attachment.pk), by=manager, reason="Duplicate"
        ),
    )
    refused = [r for r in results if isinstance(r, services.AttachmentError)]
    assert len(refused) == 1, results
    assert CaseEvent.objects.filter(kind=EventKind.FILE_REMOVED).count() == 1
    assert stored_files(attachment_store) == []


def test_two_retention_sweeps_at_once_remove_each_file_once(
    settings, staff, case, attachment_store
):
    settings.CASEDESK_ATTACHMENT_RETENTION_DAYS = 1
    for _ in range(3):
        _photo(case, staff)
    when = timezone.now() - timedelta(days=2)
    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome="within_policy", resolved_at=when, closed_at=when
    )
    now = timezone.now()
    results = race(
        lambda: services.purge_expired(now=now, limit=10),
        lambda: services.purge_expired(now=now, limit=10),
    )
    assert sum(r for r in results if isinstance(r, int)) == 3, results
    assert CaseEvent.objects.filter(kind=EventKind.FILE_REMOVED).count() in {1, 2}
    removed_by_events = sum(
        int(e.to_value.split()[0]) for e in CaseEvent.objects.filter(kind=EventKind.FILE_REMOVED)
    )
    assert removed_by_events == 3
    assert stored_files(attachment_store) == []
