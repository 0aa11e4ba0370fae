"""Every write of the privacy app: erasure, exports, retention settings.

Keyword-only, typed, one transaction each, with a conditional update wherever something
must happen once (an erasure, a download).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casedesk.celery import publish_quietly
from cases.models import (
    ACTIVE_STATUSES,
    Case,
    Customer,
    ExceptionRequest,
    RequestStatus,
    Role,
    User,
)

from . import hooks, redaction
from .models import (
    CaseAnonymisation,
    Erasure,
    ExportState,
    PrivacyEvent,
    PrivacyEventKind,
    RetentionSettings,
    SubjectAccessExport,
)
from .storage import delete_export_file


class PrivacyError(Exception):
    """A rule refused the action; the message says why, for the person who tried."""


class NotAllowed(PrivacyError):
    pass


class AlreadyErased(PrivacyError):
    pass


class ErasureBlocked(PrivacyError):
    """The customer has an open case or a pending request: erase later, or override."""

    def __init__(self, blockers: list[str]) -> None:
        self.blockers = blockers
        super().__init__(
            _(
                # Translators: references are case references, e.g. "CD-000123, CD-000140".
                "This customer has an open case or a pending exception request "
                "(%(references)s). Erase once it closes, or override with a reason."
            )
            % {"references": ", ".join(blockers)}
        )


class DownloadGone(PrivacyError):
    pass


def _export_note(export_id: int) -> str:
    """The note kept on the data-protection record: in the business's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Export %(number)s") % {"number": export_id}


def _event(customer_id: int, *, kind: str, actor: User | None, note: str = "") -> PrivacyEvent:
    return PrivacyEvent.objects.create(
        customer_id=customer_id, kind=kind, actor=actor, at=timezone.now(), note=note
    )


def erasure_blockers(customer: Customer) -> list[str]:
    """References of the customer's open cases and cases with a pending request."""
    open_cases = Case.objects.filter(customer=customer, status__in=ACTIVE_STATUSES)
    pending = ExceptionRequest.objects.filter(
        case__customer=customer, status=RequestStatus.PENDING
    ).values("case_id")
    ids = set(open_cases.values_list("pk", flat=True)) | {row["case_id"] for row in pending}
    return [Case(pk=pk).reference for pk in sorted(ids)]


@transaction.atomic
def erase_customer(
    customer: Customer,
    *,
    by: User | None,
    reason: str,
    override: bool = False,
    override_reason: str = "",
) -> Erasure:
    """Anonymise the customer and redact every case of theirs, irreversibly, once.

    `by` is an admin (None: the retention schedule). Refused while a case is open or a
    request pending unless `override` with `override_reason`. Records who, when and why —
    never what was erased. Attachments' files are deleted after the commit.
    """
    if by is not None and by.role != Role.ADMIN:
        raise NotAllowed(_("Only an admin can erase a customer."))
    if not reason.strip():
        raise NotAllowed(_("Say why this customer's data is being erased."))
    # The row lock makes a second erasure wait for the first and then find it done.
    locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if locked is None or Erasure.objects.filter(customer_id=customer.pk).exists():
        raise AlreadyErased(_("This customer's personal data has already been erased."))
    blockers = erasure_blockers(locked)
    if blockers and not override:
        raise ErasureBlocked(blockers)
    if blockers and not override_reason.strip():
        raise NotAllowed(_("Say why the open cases or pending requests should not wait."))
    now = timezone.now()
    for hook in hooks.customer_hooks():
        hook.erase(locked)  # before the profile goes: a hook may match on the customer
    if redaction.erase_profile(locked.pk, now=now) != 1:
        raise AlreadyErased(_("This customer's personal data has already been erased."))
    case_ids = list(Case.objects.filter(customer_id=locked.pk).values_list("pk", flat=True))
    redaction.redact_cases(case_ids, customer_ids=[locked.pk])
    CaseAnonymisation.objects.bulk_create(
        [CaseAnonymisation(case_id=pk, anonymised_at=now) for pk in case_ids],
        ignore_conflicts=True,  # cases the retention schedule already did
    )
    _discard_exports(locked.pk)
    erasure = Erasure.objects.create(
        customer_id=locked.pk,
        erased_by=by,
        erased_at=now,
        reason=reason.strip(),
        override_reason=override_reason.strip() if blockers else "",
    )
    kind = PrivacyEventKind.ERASED if by is not None else PrivacyEventKind.RETENTION_ERASED
    _event(locked.pk, kind=kind, actor=by, note=reason.strip())
    customer.refresh_from_db()
    return erasure


def _discard_exports(customer_id: int) -> None:
    """Exports of an erased customer are of no one any more: files go after the commit."""
    exports = SubjectAccessExport.objects.filter(customer_id=customer_id).exclude(
        state__in=[ExportState.DOWNLOADED, ExportState.EXPIRED, ExportState.FAILED]
    )
    names = [name for name in exports.values_list("file_name", flat=True) if name]
    exports.update(state=ExportState.EXPIRED, progress=0)
    for name in names:
        transaction.on_commit(lambda name=name: delete_export_file(name))  # type: ignore[misc]


# Exports -------------------------------------------------------------------------------


@transaction.atomic
def request_export(customer: Customer, *, by: User) -> SubjectAccessExport:
    """Queue a subject-access export of `customer` for `by` (access checked by the caller);
    the build starts after the commit. A timeline event on the customer records it."""
    if Erasure.objects.filter(customer_id=customer.pk).exists():
        raise NotAllowed(_("This customer's personal data has been erased: nothing to export."))
    export = SubjectAccessExport.objects.create(
        customer=customer, requested_by=by, requested_at=timezone.now()
    )
    note = _export_note(export.pk)
    _event(customer.pk, kind=PrivacyEventKind.EXPORT_REQUESTED, actor=by, note=note)

    # By name: the task module imports this one. Lost: the export sweep finds it.
    transaction.on_commit(lambda: publish_quietly("privacy.tasks.build_export", export.pk))
    return export


def claim_build(export_id: int) -> bool:
    """queued → building, by one worker only."""
    return (
        SubjectAccessExport.objects.filter(pk=export_id, state=ExportState.QUEUED).update(
            state=ExportState.BUILDING,
            started_at=timezone.now(),
            progress=0,
            attempts=F("attempts") + 1,
        )
        == 1
    )


def finish_build(export_id: int, *, file_name: str, size: int) -> bool:
    """building → ready, with the file and its expiry; False if the export changed meanwhile
    (the customer was erased): then the file is the caller's to delete."""
    now = timezone.now()
    return (
        SubjectAccessExport.objects.filter(pk=export_id, state=ExportState.BUILDING).update(
            state=ExportState.READY,
            progress=100,
            ready_at=now,
            expires_at=now + timedelta(hours=settings.CASEDESK_EXPORT_HOURS),
            file_name=file_name,
            file_size=size,
        )
        == 1
    )


def new_file_name() -> str:
    """Random, so the name says nothing about the customer and cannot be guessed."""
    return f"export-{secrets.token_hex(16)}.zip"


@transaction.atomic
def claim_download(export: SubjectAccessExport, *, by: User) -> str:
    """ready → downloaded for the requester, once, before it expires; returns the file name
    to send. The file is deleted by the next export sweep."""
    now = timezone.now()
    claimed = SubjectAccessExport.objects.filter(
        pk=export.pk, requested_by=by, state=ExportState.READY, expires_at__gt=now
    ).update(state=ExportState.DOWNLOADED, downloaded_at=now)
    if claimed != 1:
        raise DownloadGone(_("This export has already been downloaded or has expired."))
    _event(
        export.customer_id,
        kind=PrivacyEventKind.EXPORT_DOWNLOADED,
        actor=by,
        note=_export_note(export.pk),
    )
    return export.file_name


def sweep_exports(*, now: datetime | None = None, stuck_minutes: int = 10) -> list[int]:
    """Expire what was not downloaded in time, delete files no longer needed, give exports
    a dead worker left "building" back to the queue (three tries). Returns the ids of
    queued exports to build."""
    now = now or timezone.now()
    SubjectAccessExport.objects.filter(state=ExportState.READY, expires_at__lte=now).update(
        state=ExportState.EXPIRED
    )
    stuck = SubjectAccessExport.objects.filter(
        state=ExportState.BUILDING, started_at__lt=now - timedelta(minutes=stuck_minutes)
    )
    stuck.filter(attempts__gte=3).update(state=ExportState.FAILED, error="Gave up after 3 tries.")
    stuck.update(state=ExportState.QUEUED)
    done = SubjectAccessExport.objects.filter(
        state__in=[ExportState.DOWNLOADED, ExportState.EXPIRED, ExportState.FAILED]
    ).exclude(file_name="")
    for pk, name in list(done.values_list("pk", "file_name")[:200]):
        delete_export_file(name)
        SubjectAccessExport.objects.filter(pk=pk, file_name=name).update(file_name="")
    queued = SubjectAccessExport.objects.filter(state=ExportState.QUEUED).order_by("requested_at")
    return list(queued.values_list("pk", flat=True)[:20])


# Retention settings ---------------------------------------------------------------------


def retention_settings() -> RetentionSettings:
    settings_row, _created = RetentionSettings.objects.get_or_create(pk=1)
    return settings_row


@transaction.atomic
def update_retention_settings(
    *, by: User, enabled: bool, closed_case_years: int, inactive_customer_years: int
) -> RetentionSettings:
    """Admins change how long personal data is kept; the next sweep applies it."""
    if by.role != Role.ADMIN:
        raise NotAllowed(_("Only an admin can change retention."))
    for years in (closed_case_years, inactive_customer_years):
        if not 1 <= years <= 100:
            raise NotAllowed(_("Retention is between 1 and 100 years."))
    RetentionSettings.objects.update_or_create(
        pk=1,
        defaults={
            "enabled": enabled,
            "closed_case_years": closed_case_years,
            "inactive_customer_years": inactive_customer_years,
            "updated_by": by,
        },
    )
    return RetentionSettings.objects.get(pk=1)
