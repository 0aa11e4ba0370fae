"""The reminder sweep: claim one due row, send it outside any transaction, record it.

- Claim: `pending → sending` by conditional update; whoever changes the row owns it, so two
  sweeps (or two workers) never send the same row in the same generation.
- Send: with a Message-ID fixed per row and generation, so the one possible duplicate (the
  sender died after the server accepted, before it was recorded) is recognisably the same.
- Record: `sending → sent`; or back to pending with a backoff on a temporary failure; or
  failed after the last try or on a permanent refusal — failed rows show to admins.
- Recover: a row left `sending` past the claim timeout goes back to pending.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .. import emails
from ..models import (
    ExceptionRequest,
    Level,
    Reminder,
    ReminderKind,
    ReminderState,
    RequestStatus,
    Role,
    TaskStatus,
    User,
)

logger = logging.getLogger(__name__)

CANDIDATES = 20


@dataclass
class Outbound:
    template: str
    to: list[str]
    context: dict[str, object]


class Irrelevant(Exception):
    """The reminder no longer applies (task done, request decided, link used)."""


_CLAIM_SQL = """
    UPDATE cases_reminder SET state = 'sending', claimed_at = %s, attempts = attempts + 1
    WHERE id = (
        SELECT id FROM cases_reminder
        WHERE state = 'pending' AND due_at <= %s
        ORDER BY due_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id
"""


def _claim_id(now: datetime) -> int | None:
    """Mark the oldest due pending row as ours and return its id (None: nothing due)."""
    if db.vendor == "postgresql":
        # One statement; SKIP LOCKED lets concurrent sweeps take different rows at once.
        with db.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, [now, now])
            row = cursor.fetchone()
        return row[0] if row else None
    # Elsewhere (SQLite): pick candidates, then a conditional update decides who owns one.
    candidates = (
        Reminder.objects.filter(state=ReminderState.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:CANDIDATES]
    )
    for reminder_id in candidates:
        claimed = Reminder.objects.filter(pk=reminder_id, state=ReminderState.PENDING).update(
            state=ReminderState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if claimed:
            return reminder_id
    return None


def claim_next(*, now: datetime) -> Reminder | None:
    """Take the oldest due pending row that nobody else took first."""
    reminder_id = _claim_id(now)
    if reminder_id is None:
        return None
    # Only what every message needs; kind-specific rows load lazily in compose().
    return Reminder.objects.select_related("case__customer", "task__assignee").get(pk=reminder_id)


def recover_stale(*, now: datetime) -> int:
    """Rows a dead sender left in `sending` go back to pending (the at-least-once step)."""
    cutoff = now - timedelta(seconds=settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS)
    return Reminder.objects.filter(state=ReminderState.SENDING, claimed_at__lt=cutoff).update(
        state=ReminderState.PENDING
    )


def _managers_of(team_id: int) -> list[str]:
    people = User.objects.filter(is_active=True, role=Role.MANAGER, teams=team_id)
    return list(people.exclude(email="").values_list("email", flat=True))


def _deciders_of(request: ExceptionRequest) -> list[str]:
    """The team's managers (for manager-level requests) and the admins, never the one who
    asked."""
    people = User.objects.filter(is_active=True).exclude(pk=request.requested_by_id)
    admins = Q(role=Role.ADMIN)
    if request.required_level <= Level.MANAGER:
        people = people.filter(admins | Q(role=Role.MANAGER, teams=request.case.team_id))
    else:
        people = people.filter(admins)
    return list(people.exclude(email="").distinct().values_list("email", flat=True))


def compose(reminder: Reminder) -> Outbound:
    """What to send for this row, or Irrelevant when it no longer applies."""
    case = reminder.case
    context: dict[str, object] = {
        "reminder": reminder,
        "case": case,
        "case_url": emails.absolute_url(case.get_absolute_url()),
    }
    if reminder.kind in {ReminderKind.DUE_SOON, ReminderKind.OVERDUE}:
        task = reminder.task
        if task is None or task.status != TaskStatus.OPEN:
            raise Irrelevant("the task is closed")
        context["task"] = task
        context["tasks_url"] = emails.absolute_url(reverse("my_tasks"))
        if reminder.kind == ReminderKind.DUE_SOON:
            return Outbound("reminder_due_soon", [task.assignee.email], context)
        return Outbound("reminder_overdue", _managers_of(case.team_id), context)
    if reminder.kind in {
        ReminderKind.APPROVAL,
        ReminderKind.EXCEPTION_REQUESTED,
        ReminderKind.EXCEPTION_DECIDED,
    }:
        request = ExceptionRequest.objects.select_related(
            "case", "case__team", "requested_by", "decided_by"
        ).get(pk=reminder.exception_request_id)
        context["request"] = request
        context["queue_url"] = emails.absolute_url(reverse("approvals"))
        if reminder.kind == ReminderKind.EXCEPTION_DECIDED:
            return Outbound("exception_decided", [request.requested_by.email], context)
        if request.status != RequestStatus.PENDING:
            raise Irrelevant("the request was decided")
        template = (
            "reminder_approval" if reminder.kind == ReminderKind.APPROVAL else "exception_requested"
        )
        return Outbound(template, _deciders_of(request), context)
    if reminder.kind == ReminderKind.FEEDBACK:
        from .followups import feedback_token

        feedback = reminder.feedback
        if feedback is None or feedback.used_at or feedback.expires_at <= timezone.now():
            raise Irrelevant("the feedback link is used or expired")
        context["feedback"] = feedback
        context["feedback_url"] = emails.absolute_url(
            reverse("feedback", args=[feedback_token(feedback)])
        )
        return Outbound("feedback_request", [feedback.email], context)
    if reminder.kind == ReminderKind.CUSTOMER_UPDATE:
        subject, _, body = reminder.note.partition("\n\n")
        context.update(subject=subject, body=body)
        return Outbound("customer_update", [case.customer.email], context)
    raise Irrelevant(f"unknown kind {reminder.kind}")


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


def _finish(reminder: Reminder, **fields: object) -> None:
    # Only the owner of the claim records the outcome.
    Reminder.objects.filter(pk=reminder.pk, state=ReminderState.SENDING).update(**fields)


def deliver(reminder: Reminder, *, smtp: Any = None) -> str:
    """Send one claimed row; returns the state it ends in."""
    try:
        outbound = compose(reminder)
    except Irrelevant as why:
        _finish(reminder, state=ReminderState.CANCELLED, last_error=str(why)[:500])
        return ReminderState.CANCELLED
    recipients = [address for address in outbound.to if address]
    if not recipients:
        _finish(reminder, state=ReminderState.FAILED, last_error="No one to send it to.")
        return ReminderState.FAILED
    try:
        if smtp is not None:
            smtp.open()  # no-op when already open; keeps it open across sends
        emails.send(
            outbound.template,
            to=recipients,
            context=outbound.context,
            message_id=reminder.message_id,
            connection=smtp,
        )
    except Exception as error:  # classify every failure: retry, or give up and show it
        if smtp is not None:
            # Drop a connection in an unknown state; the next send opens a fresh one.
            with contextlib.suppress(Exception):
                smtp.close()
        message = f"{type(error).__name__}: {error}"[:500]
        if _temporary(error) and reminder.attempts < settings.CASEDESK_REMINDER_MAX_ATTEMPTS:
            _finish(
                reminder,
                state=ReminderState.PENDING,
                due_at=timezone.now() + backoff(reminder.attempts),
                last_error=message,
            )
            return ReminderState.PENDING
        logger.error("Reminder %s failed for good: %s", reminder.pk, message)
        _finish(reminder, state=ReminderState.FAILED, last_error=message)
        return ReminderState.FAILED
    _finish(reminder, state=ReminderState.SENT, sent_at=timezone.now(), last_error="")
    return ReminderState.SENT


def send_due_reminders(*, limit: int = 500, seconds: float = 50.0) -> int:
    """Send what is due, one row at a time, until none is due, `limit` rows or `seconds`
    have passed; returns how many rows were handled. Safe to run many at once."""
    started = timezone.now()
    recover_stale(now=started)
    handled = 0
    # One SMTP session for the whole sweep: opening one per message costs more than the
    # message itself. Opened lazily, so a sweep with nothing due never connects.
    smtp = get_connection()
    try:
        while handled < limit and (timezone.now() - started).total_seconds() < seconds:
            reminder = claim_next(now=timezone.now())
            if reminder is None:
                break
            deliver(reminder, smtp=smtp)
            handled += 1
    finally:
        with contextlib.suppress(Exception):
            smtp.close()
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
