"""The reminder sweep: claim a small batch of due rows, send each outside any transaction,
record each right after its send.

- Claim: `pending → sending` by conditional update, up to BATCH_SIZE rows in one statement,
  then one query loads them; whoever changes a row owns it, so two sweeps (or two workers)
  never send the same row in the same generation. The claim time is the claim's token:
  every later write of the row checks it.
- Send: with a Message-ID fixed per row and generation, so the one possible duplicate (the
  sender died after the server accepted, before it was recorded) is recognisably the same.
  A batch is sent on what was read at its claim, so it is held for BATCH_HOLD_SECONDS at
  most: rows not sent by then go back to pending unsent and are claimed (and read) afresh.
- Record: `sending → sent`, one row at a time right after its send, so a sender killed
  mid-batch leaves at most the row in flight unrecorded; the rest of the batch is still
  `sending`, unsent, and goes back to pending at the claim timeout (at once if the sweep
  only raised). Or back to pending with a backoff on a temporary failure; or failed after
  the last try or on a permanent refusal — failed rows show to admins.
- Recover: a row left `sending` past the claim timeout goes back to pending.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone
from django.utils.translation import gettext

from casedesk import outbox
from webhooks.emit import on_task_overdue

from .. import emails
from ..models import Reminder, ReminderKind, ReminderState
from .reminder_messages import Irrelevant, Lookups, compose

logger = logging.getLogger(__name__)

# Rows per claim. Claiming and loading one row took about 4 ms (two statements, a commit,
# compiling a five-table query); 25 rows take about 10 ms, well under a millisecond a row.
# Small, so a batch is sent within a fraction of a second and a dead sender strands only a
# few claimed rows until the claim timeout.
BATCH_SIZE = 25
# How long a batch may wait on its sends (a slow mail server) before the rest goes back:
# bounds how stale the task, case and claim behind a send may be. Well under the claim
# timeout too, or another sweep could recover and send a row while it waits here.
BATCH_HOLD_SECONDS = 1.0


def _claim_ids(now: datetime, *, size: int, case_id: int | None) -> list[int]:
    """Mark up to `size` of the oldest due pending rows as ours; their ids (none: nothing due).
    The claim statement is shared with the webhook sweep (casedesk/outbox.py)."""
    scope = {"case_id": case_id} if case_id is not None else None
    return outbox.claim_ids(Reminder, now=now, size=size, due_field="due_at", scope=scope)


def claim_batch(
    *, now: datetime, size: int = BATCH_SIZE, case_id: int | None = None
) -> list[Reminder]:
    """Take up to `size` of the oldest due pending rows that nobody else took first, loaded
    and oldest first. `case_id` keeps to one case's rows (the drain benchmark runs on a
    shared database)."""
    ids = _claim_ids(now, size=size, case_id=case_id)
    if not ids:
        return []
    # One query for the batch, with what every message needs; kind-specific rows (request,
    # feedback) load in compose(), just before their send.
    rows = Reminder.objects.select_related("case__customer", "task__assignee").filter(pk__in=ids)
    return list(rows.order_by("due_at", "id"))


def recover_stale(*, now: datetime, case_id: int | None = None) -> int:
    """Rows a dead sender left in `sending` go back to pending (the at-least-once step)."""
    cutoff = now - timedelta(seconds=settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS)
    stale = Reminder.objects.filter(state=ReminderState.SENDING, claimed_at__lt=cutoff)
    if case_id is not None:
        stale = stale.filter(case_id=case_id)
    return stale.update(state=ReminderState.PENDING)


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _temporary(error: Exception) -> bool:
    """Worth trying again later: 4xx replies, dropped connections, timeouts."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return all(400 <= code < 500 for code in codes)
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError | socket.timeout)


def backoff(attempts: int) -> timedelta:
    """1×, 2×, 4×, … the base delay, capped at a day."""
    seconds = settings.CASEDESK_REMINDER_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86400))


def _finish(reminder: Reminder, **fields: object) -> bool:
    """Record the outcome; only the owner of the claim can (same state, same claim time), so
    a row rescheduled meanwhile (pending again, a new generation) keeps its new outcome."""
    recorded = outbox.record(Reminder, reminder.pk, claimed_at=reminder.claimed_at, **fields)
    if not recorded:
        # Rescheduled or recovered meanwhile: its new state stands.
        logger.info("reminder.changed_while_held", extra={"reminder_id": reminder.pk})
    return recorded


def _release(reminders: Sequence[Reminder]) -> int:
    """Give claimed, unsent rows back (pending, this claim not counted as a try)."""
    return outbox.release(Reminder, reminders)


def _ids(reminder: Reminder) -> dict[str, object]:
    """What every log line about a reminder carries, to find it and its case."""
    return {
        "reminder_id": reminder.pk,
        "case_id": reminder.case_id,
        "kind": reminder.kind,
        "attempt": reminder.attempts,
    }


def deliver(reminder: Reminder, *, smtp: Any = None, lookups: Lookups | None = None) -> str:
    """Send one claimed row; returns the state it ends in."""
    try:
        outbound = compose(reminder, lookups=lookups)
    except Irrelevant as why:
        _finish(reminder, state=ReminderState.CANCELLED, last_error=str(why)[:500])
        logger.info("reminder.cancelled", extra={**_ids(reminder), "why": str(why)})
        return ReminderState.CANCELLED
    if reminder.kind == ReminderKind.OVERDUE:
        on_task_overdue(reminder)  # webhooks: task.overdue, once per task and generation
    recipients = [address for address in outbound.to if address]
    if not recipients:
        _finish(reminder, state=ReminderState.FAILED, last_error=gettext("No one to send it to."))
        logger.error("reminder.failed", extra={**_ids(reminder), "error": "no recipients"})
        return ReminderState.FAILED
    started = time.monotonic()
    try:
        if smtp is not None:
            smtp.open()  # no-op when already open; keeps it open across sends
        emails.send(
            outbound.template,
            to=recipients,
            context=outbound.context,
            message_id=reminder.message_id,
            connection=smtp,
            language=outbound.language,
        )
    except Exception as error:  # classify every failure: retry, or give up and show it
        if smtp is not None:
            # Drop a connection in an unknown state; the next send opens a fresh one.
            with contextlib.suppress(Exception):
                smtp.close()
        message = f"{type(error).__name__}: {error}"[:500]
        facts = {**_ids(reminder), "error": message, "ms": _ms_since(started)}
        if _temporary(error) and reminder.attempts < settings.CASEDESK_REMINDER_MAX_ATTEMPTS:
            _finish(
                reminder,
                state=ReminderState.PENDING,
                due_at=timezone.now() + backoff(reminder.attempts),
                last_error=message,
            )
            logger.warning("reminder.retry", extra=facts)
            return ReminderState.PENDING
        logger.error("reminder.failed", extra=facts)
        _finish(reminder, state=ReminderState.FAILED, last_error=message)
        return ReminderState.FAILED
    # Recorded before the next row is sent: a kill between the two costs one duplicate.
    _finish(reminder, state=ReminderState.SENT, sent_at=timezone.now(), last_error="")
    logger.info(
        "reminder.sent",
        extra={**_ids(reminder), "recipients": len(recipients), "ms": _ms_since(started)},
    )
    return ReminderState.SENT


def send_batch(batch: Sequence[Reminder], *, smtp: Any = None) -> int:
    """Deliver a claimed batch in order; returns how many rows were handled. Rows still
    unsent when the batch has been held too long go back to pending, unsent."""
    if not batch:
        return 0
    # Also under half the claim timeout (it may be configured short): a send that starts
    # later could still be under way when another sweep recovers the row and sends it too.
    hold = min(BATCH_HOLD_SECONDS, settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS / 2)
    claimed_at = batch[0].claimed_at or timezone.now()  # one claim statement, one claim time
    lookups = Lookups()
    for index, reminder in enumerate(batch):
        # The first row always goes, so even a very slow server makes progress.
        if index and (timezone.now() - claimed_at).total_seconds() > hold:
            released = _release(batch[index:])
            # The mail server is slow: the rest go back to pending, unsent.
            logger.warning("reminder.batch_released", extra={"released": released})
            return index
        try:
            deliver(reminder, smtp=smtp, lookups=lookups)
        except Exception:
            # The rows after this one were never sent: give them back now, not at the claim
            # timeout. This one may have been sent before it broke, so it waits for that.
            with contextlib.suppress(Exception):
                _release(batch[index + 1 :])
            raise
    return len(batch)


def send_due_reminders(
    *, limit: int = 500, seconds: float = 50.0, case_id: int | None = None
) -> int:
    """Send what is due, a batch at a time, until none is due, `limit` rows or `seconds`
    have passed; returns how many rows were handled. Safe to run many at once. `case_id`
    keeps to one case's reminders (only the drain benchmark needs it)."""
    started = timezone.now()
    clock = time.monotonic()
    recovered = recover_stale(now=started, case_id=case_id)
    handled = 0
    # One SMTP session for the whole sweep: opening one per message costs more than the
    # message itself. Opened lazily, so a sweep with nothing due never connects.
    smtp = get_connection()
    try:
        while handled < limit and (timezone.now() - started).total_seconds() < seconds:
            size = min(BATCH_SIZE, limit - handled)
            batch = claim_batch(now=timezone.now(), size=size, case_id=case_id)
            if not batch:
                break
            handled += send_batch(batch, smtp=smtp)
    finally:
        with contextlib.suppress(Exception):
            smtp.close()
    facts = {"handled": handled, "recovered": recovered, "ms": _ms_since(clock)}
    # Every sweep that did something says so; an idle one (every 30 s) only at DEBUG.
    logger.log(
        logging.INFO if handled or recovered else logging.DEBUG, "reminder.sweep", extra=facts
    )
    return handled


def oldest_due_age(*, now: datetime | None = None) -> float | None:
    """Seconds the oldest due, unsent reminder has waited (None when nothing is due)."""
    now = now or timezone.now()
    oldest = (
        Reminder.objects.filter(
            state__in=[ReminderState.PENDING, ReminderState.SENDING], due_at__lte=now
        )
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    return (now - oldest).total_seconds() if oldest else None
