"""Follow-up tasks, the reminders they schedule, follow-up rules and feedback requests.

A task's reminder rows are written in the same transaction as the task, so the schedule
can never disagree with the tasks: the database holds it, and the sweep
(`reminders.send_due_reminders`) only reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from policies.models import FollowUpRule
from policies.texts import message_template

from ..limits import due_time_error
from ..models import (
    Case,
    EventKind,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Reminder,
    ReminderKind,
    ReminderState,
    TaskKind,
    TaskStatus,
    User,
)
from .dispatch import kick_sweep
from .errors import CaseError, NotAllowed
from .teams import can_assign, not_a_member, recovery_owner
from .timeline import record_event


class TaskAlreadyClosed(CaseError):
    pass


def local_due(day: date, hour: int, zone: str) -> datetime:
    """`hour` o'clock on `day` in `zone`, as an aware datetime.

    In the spring-forward gap the wall-clock hour does not exist: the due time moves forward
    by the gap (01:00 → 02:00 BST in London). In the repeated fall-back hour it is the
    first of the two (fold=0).
    """
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, time(hour))
    aware = naive.replace(tzinfo=tz)
    # zoneinfo resolves a non-existent wall time with the offset from before the gap, which
    # lands after the jump: exactly "moved forward by the gap". The round trip through UTC
    # gives the real instant its real offset (BST after the jump).
    return aware.astimezone(ZoneInfo("UTC")).astimezone(tz)


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _due_note(assignee: User, due_at: datetime) -> str:
    """Who and when, as the timeline keeps it for a task: kept text, so it is written in
    the business's language, not in that of whoever added the task."""
    with translation.override(settings.LANGUAGE_CODE):
        # Translators: on the timeline, e.g. "Sam Jones, due Mon 3 Mar 10:00".
        return gettext("%(person)s, due %(when)s") % {"person": assignee, "when": _when(due_at)}


def _reminder_times(due_at: datetime) -> dict[str, datetime]:
    lead = timedelta(minutes=settings.CASEDESK_REMINDER_LEAD_MINUTES)
    grace = timedelta(minutes=settings.CASEDESK_OVERDUE_GRACE_MINUTES)
    now = timezone.now()
    return {
        ReminderKind.DUE_SOON: max(due_at - lead, now),
        ReminderKind.OVERDUE: due_at + grace,
    }


def _write_task_reminders(task: FollowUpTask) -> None:
    """Create or move the task's two reminders; a moved reminder is a new message."""
    for kind, due_at in _reminder_times(task.due_at).items():
        updated = Reminder.objects.filter(task=task, kind=kind).update(
            due_at=due_at,
            state=ReminderState.PENDING,
            generation=F("generation") + 1,
            attempts=0,
            claimed_at=None,
            sent_at=None,
            last_error="",
        )
        if not updated:
            Reminder.objects.create(
                kind=kind, case_id=task.case_id, team_id=task.team_id, task=task, due_at=due_at
            )


def _cancel_reminders(**match: object) -> int:
    return Reminder.objects.filter(state=ReminderState.PENDING, **match).update(
        state=ReminderState.CANCELLED
    )


@transaction.atomic
def add_task(
    case: Case,
    *,
    by: User | None,
    title: str,
    kind: str,
    assignee: User,
    due_at: datetime,
) -> FollowUpTask:
    """A follow-up on a case for a member of its team, with its reminders scheduled."""
    if not can_assign(case.team, assignee):
        raise NotAllowed(not_a_member(assignee, case.team))
    if kind not in TaskKind.values:
        raise NotAllowed(gettext("Choose what kind of task this is."))
    if not title.strip():
        raise NotAllowed(gettext("Give the task a title."))
    if error := due_time_error(due_at):
        raise NotAllowed(error)
    task = FollowUpTask.objects.create(
        case=case,
        title=title.strip(),
        kind=kind,
        assignee=assignee,
        due_at=due_at,
        created_by=by,
    )
    _write_task_reminders(task)
    record_event(
        case,
        actor=by,
        kind=EventKind.TASK_ADDED,
        to_value=_due_note(assignee, due_at),
        note=task.title,
        task=task,
    )
    return task


@transaction.atomic
def reschedule_task(
    task: FollowUpTask, *, by: User, due_at: datetime, assignee: User | None = None
) -> FollowUpTask:
    """Move an open task (and its reminders); optionally hand it to someone else."""
    assignee = assignee or task.assignee
    if not can_assign(task.case.team, assignee):
        raise NotAllowed(not_a_member(assignee, task.case.team))
    if error := due_time_error(due_at):
        raise NotAllowed(error)
    moved = FollowUpTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        due_at=due_at, assignee=assignee
    )
    if not moved:
        raise TaskAlreadyClosed(gettext("This task is already closed."))
    task.refresh_from_db()
    _write_task_reminders(task)
    record_event(
        task.case,
        actor=by,
        kind=EventKind.TASK_CHANGED,
        to_value=_due_note(assignee, due_at),
        note=task.title,
        task=task,
    )
    return task


def _close_task(task: FollowUpTask, *, by: User, status: str, note: str) -> FollowUpTask:
    now = timezone.now()
    closed = FollowUpTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=status, outcome_note=note.strip(), completed_at=now, completed_by=by
    )
    if not closed:
        raise TaskAlreadyClosed(gettext("This task is already closed."))
    # Nothing more to remind anyone of; a reminder mid-send re-checks the task first.
    _cancel_reminders(task=task)
    task.refresh_from_db()
    kind = EventKind.TASK_DONE if status == TaskStatus.DONE else EventKind.TASK_CANCELLED
    record_event(task.case, actor=by, kind=kind, note=f"{task.title}: {note.strip()}", task=task)
    return task


@transaction.atomic
def complete_task(task: FollowUpTask, *, by: User, outcome_note: str) -> FollowUpTask:
    """Mark a task done with what came of it (required)."""
    if not outcome_note.strip():
        raise NotAllowed(gettext("Say what came of it."))
    return _close_task(task, by=by, status=TaskStatus.DONE, note=outcome_note)


@transaction.atomic
def cancel_task(task: FollowUpTask, *, by: User, reason: str = "") -> FollowUpTask:
    if not reason:
        with translation.override(settings.LANGUAGE_CODE):  # kept on the timeline
            reason = pgettext("task status", "Cancelled")
    return _close_task(task, by=by, status=TaskStatus.CANCELLED, note=reason)


def schedule_approval_escalation(request: ExceptionRequest) -> Reminder:
    """A request still waiting after the configured time is escalated, once."""
    due_at = request.requested_at + timedelta(hours=settings.CASEDESK_APPROVAL_ESCALATE_HOURS)
    return Reminder.objects.create(
        kind=ReminderKind.APPROVAL,
        case_id=request.case_id,
        team_id=request.team_id,
        exception_request=request,
        due_at=due_at,
    )


def cancel_approval_escalation(request: ExceptionRequest) -> None:
    _cancel_reminders(exception_request=request)


# Feedback ------------------------------------------------------------------------------


def feedback_token(feedback: FeedbackRequest) -> str:
    """The link's secret: HMAC of the row's random salt under SECRET_KEY (256 bits).

    Recomputed whenever the email is (re)sent, so a resend carries the same link, while
    the database alone (which keeps only the SHA-256 of it) cannot produce it.
    """
    key = settings.SECRET_KEY.encode()
    message = f"casedesk-feedback:{feedback.salt}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def schedule_feedback(case: Case, *, send_at: datetime) -> FeedbackRequest | None:
    """Ask the customer for feedback at `send_at`, if we have an email address."""
    email = case.customer.email
    if not email:
        return None
    feedback = FeedbackRequest(
        case=case,
        email=email,
        salt=secrets.token_hex(32),
        send_at=send_at,
        expires_at=send_at + timedelta(days=settings.CASEDESK_FEEDBACK_LINK_DAYS),
    )
    feedback.token_hash = hash_token(feedback_token(feedback))
    feedback.save()
    Reminder.objects.create(
        kind=ReminderKind.FEEDBACK, case=case, feedback=feedback, due_at=send_at
    )
    return feedback


def find_feedback(token: str) -> FeedbackRequest | None:
    """The feedback request behind a link, or None for any unknown token."""
    if not token or len(token) > 128:
        return None
    return (
        # The customer too: the page is in their language (cases/views/feedback.py).
        FeedbackRequest.objects.select_related("case", "case__team", "case__customer")
        .filter(token_hash=hash_token(token))
        .first()
    )


class FeedbackClosed(CaseError):
    pass


@transaction.atomic
def submit_feedback(feedback: FeedbackRequest, *, rating: int, comment: str) -> FeedbackRequest:
    """Record the customer's rating once; a low one (1–2) starts service recovery."""
    now = timezone.now()
    if not 1 <= rating <= 5:
        raise NotAllowed(gettext("Choose a rating from 1 to 5."))
    used = FeedbackRequest.objects.filter(
        Q(pk=feedback.pk, used_at__isnull=True, expires_at__gt=now)
    ).update(used_at=now, rating=rating, comment=comment.strip())
    if not used:
        raise FeedbackClosed(gettext("This link has already been used or has expired."))
    feedback.refresh_from_db()
    case = feedback.case
    record_event(
        case, actor=None, kind=EventKind.FEEDBACK, to_value=str(rating), note=comment.strip()
    )
    if rating <= 2:
        # The task's title is kept, and read by staff: the business's language, not the
        # customer's (whose language the feedback page may be in).
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext("Service recovery: customer rated %(rating)d/5") % {"rating": rating}
        add_task(
            case,
            by=None,
            title=title,
            kind=TaskKind.SERVICE_RECOVERY,
            assignee=recovery_owner(case.team),
            due_at=now + timedelta(days=1),
        )
    return feedback


def apply_follow_up_rules(case: Case, *, by: User, resolved_at: datetime) -> list[FollowUpTask]:
    """Create the tasks and feedback requests that the follow-up rules ask for."""
    rules = FollowUpRule.objects.filter(active=True).filter(
        Q(category__isnull=True) | Q(category_id=case.category_id),
        Q(outcome="") | Q(outcome=case.outcome),
    )
    created: list[FollowUpTask] = []
    feedback_days: list[int] = []
    local_day = timezone.localtime(resolved_at, ZoneInfo(case.team.time_zone)).date()
    owner: User | None = None
    for rule in rules.order_by("id"):
        if rule.task_due_days is not None:
            # The case's owner, else whoever resolved it, else a manager of the team: a
            # follow-up the rules promise must always have someone to do it.
            owner = owner or next(
                (p for p in (case.assignee, by) if p is not None and can_assign(case.team, p)),
                None,
            )
            owner = owner or recovery_owner(case.team)
            due = local_due(
                local_day + timedelta(days=rule.task_due_days),
                rule.task_local_hour,
                case.team.time_zone,
            )
            created.append(
                add_task(
                    case,
                    by=by,
                    title=rule.task_title,
                    kind=rule.task_kind,
                    assignee=owner,
                    due_at=due,
                )
            )
        if rule.feedback_after_days is not None:
            feedback_days.append(rule.feedback_after_days)
    if feedback_days:
        # One request per resolution, however many rules ask for one: the earliest wins.
        schedule_feedback(case, send_at=resolved_at + timedelta(days=min(feedback_days)))
    return created


def queue_customer_update(case: Case, *, by: User, next_step: str) -> Reminder | None:
    """Email the customer what was agreed and what happens next, from the admin's template
    in the customer's language (else its default version)."""
    if not case.customer.email:
        raise NotAllowed(gettext("This customer has no email address."))
    language = case.customer.preferred_language
    template = message_template("what-happens-next", language)
    if template is None:
        raise NotAllowed(gettext("No 'what happens next' template is set up."))
    # Customer-facing: in the customer's language, whoever queues it.
    with translation.override(language):
        nothing_more = gettext("Nothing more is needed from you.")
    values = {
        "customer": case.customer.name,
        "reference": case.reference,
        "summary": case.resolution_summary,
        "next_step": next_step.strip() or nothing_more,
        "business": settings.CASEDESK_BUSINESS_NAME,
    }
    body = template.body
    for key, value in values.items():
        body = body.replace("{" + key + "}", value)
    subject = template.subject
    for key, value in values.items():
        subject = subject.replace("{" + key + "}", value)
    reminder = Reminder.objects.create(
        kind=ReminderKind.CUSTOMER_UPDATE,
        case=case,
        due_at=timezone.now(),
        note=f"{subject}\n\n{body}",
    )
    record_event(
        case,
        actor=by,
        kind=EventKind.CUSTOMER_EMAILED,
        to_value=case.customer.email,
        note=body,
    )
    kick_sweep()
    return reminder
