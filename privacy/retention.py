"""The retention sweep: anonymise closed cases and erase inactive customers past the
admins' retention periods, a bounded batch at a time.

A pass walks the cases by id, then the customers by id, `CASEDESK_RETENTION_BATCH` ids
per batch; each batch is one transaction that also moves the cursor, so a killed sweep
resumes after its last committed batch and never holds a million-row transaction. A case
or customer already done has its row (CaseAnonymisation, Erasure) and is skipped, so
nothing is done twice even when a batch is repeated. Walking by id (rather than by date)
needs no new index on the big tables, and a case closed or a customer gone quiet after
the cursor passed them is found by the next pass (one a day).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import ngettext

from cases.models import ACTIVE_STATUSES, Case, Customer, Status

from . import redaction, services
from .models import (
    CaseAnonymisation,
    Erasure,
    RetentionPhase,
    RetentionProgress,
    RetentionSettings,
)


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class Step:
    """What one batch did."""

    phase: str
    cases: int = 0
    customers: int = 0
    idle: bool = False


def _cases_batch(cursor: int, *, size: int, policy: RetentionSettings) -> tuple[int, int]:
    """Anonymise the closed cases past retention among the next `size` case ids; returns
    (the last id looked at or 0 at the end, how many were anonymised)."""
    window = list(
        Case.objects.filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:size]
    )
    if not window:
        return 0, 0
    cutoff = years_before(timezone.now(), policy.closed_case_years)
    done = CaseAnonymisation.objects.filter(case_id=OuterRef("pk"))
    due = list(
        Case.objects.filter(pk__in=window, status=Status.CLOSED, closed_at__lt=cutoff)
        .exclude(Exists(done))
        .values_list("pk", flat=True)
    )
    redaction.redact_cases(due)
    now = timezone.now()
    CaseAnonymisation.objects.bulk_create(
        [CaseAnonymisation(case_id=pk, anonymised_at=now, by_retention=True) for pk in due]
    )
    return (window[-1] if len(window) == size else 0), len(due)


def _customers_batch(cursor: int, *, size: int, policy: RetentionSettings) -> tuple[int, int]:
    """Erase the customers among the next `size` ids registered before the cutoff, with
    no case active and no case activity since it, not erased yet."""
    window = list(
        Customer.objects.filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:size]
    )
    if not window:
        return 0, 0
    years = policy.inactive_customer_years
    cutoff = years_before(timezone.now(), years)
    recent = Case.objects.filter(customer=OuterRef("pk"), last_activity_at__gte=cutoff)
    active = Case.objects.filter(customer=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    erased = Erasure.objects.filter(customer=OuterRef("pk"))
    due = (
        Customer.objects.filter(pk__in=window, created_at__lt=cutoff)
        .exclude(Exists(recent))
        .exclude(Exists(active))
        .exclude(Exists(erased))
    )
    count = 0
    for customer in due.order_by("pk"):
        with translation.override(settings.LANGUAGE_CODE):  # kept with the erasure
            reason = ngettext(
                "Retention: no case activity for %(years)d year.",
                "Retention: no case activity for %(years)d years.",
                years,
            ) % {"years": years}
        services.erase_customer(customer, by=None, reason=reason)
        count += 1
    return (window[-1] if len(window) == size else 0), count


def retention_step(*, size: int | None = None) -> Step:
    """One batch of the current pass (starting a pass when one is due): one transaction."""
    size = size or settings.CASEDESK_RETENTION_BATCH
    policy = services.retention_settings()
    RetentionProgress.objects.get_or_create(pk=1)
    with transaction.atomic():
        # Two sweeps at once take turns here; the second sees the first one's cursor.
        progress = RetentionProgress.objects.select_for_update().get(pk=1)
        now = timezone.now()
        progress.last_run_at = now
        if progress.phase == RetentionPhase.IDLE:
            every = timedelta(hours=settings.CASEDESK_RETENTION_PASS_HOURS)
            recent = progress.last_pass_at and now - progress.last_pass_at < every
            if not policy.enabled or recent:
                progress.save(update_fields=["last_run_at"])
                return Step(phase=progress.phase, idle=True)
            progress.phase, progress.cursor, progress.pass_started_at = RetentionPhase.CASES, 0, now
        step = Step(phase=progress.phase)
        if progress.phase == RetentionPhase.CASES:
            progress.cursor, step.cases = _cases_batch(progress.cursor, size=size, policy=policy)
            if progress.cursor == 0:
                progress.phase = RetentionPhase.CUSTOMERS
        else:
            progress.cursor, step.customers = _customers_batch(
                progress.cursor, size=size, policy=policy
            )
            if progress.cursor == 0:
                progress.phase, progress.last_pass_at = RetentionPhase.IDLE, now
        progress.batches += 1
        progress.cases_anonymised += step.cases
        progress.customers_erased += step.customers
        progress.save()
    return step


def run_retention(*, max_batches: int = 10_000, seconds: float = 50.0) -> tuple[int, int, bool]:
    """Batches until the pass is done, `max_batches` or `seconds`; returns (cases
    anonymised, customers erased, whether there is more to do)."""
    started = time.monotonic()
    cases = customers = 0
    for _ in range(max_batches):
        if time.monotonic() - started > seconds:
            return cases, customers, True
        step = retention_step()
        if step.idle:
            return cases, customers, False
        cases += step.cases
        customers += step.customers
    return cases, customers, True
