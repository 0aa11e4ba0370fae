"""Every write to cases and interactions goes through here (customers: `customers.py`).

Each service is one transaction and writes its timeline event(s) in it. Status changes
are conditional updates (`filter(status__in=…).update(…)`), so two people acting on the
same case at once cannot both move it: the second gets `InvalidTransition`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from policies.models import Category, Demeanour

from ..limits import due_time_error
from ..models import (
    PRIORITY_RANK,
    Case,
    CaseEvent,
    CaseStudy,
    Channel,
    Customer,
    Direction,
    EventKind,
    Interaction,
    Outcome,
    Priority,
    Role,
    Status,
    StudyKind,
    Team,
    User,
)
from .badges import surges_changed
from .erased import lock_live_customer
from .errors import NotAllowed
from .followups import add_task, apply_follow_up_rules, queue_customer_update
from .teams import can_assign, not_a_member, recovery_owner
from .timeline import move_status, open_if_new, record_event

# What a value no form offers is refused with, per field (%(value)s is the value, quoted).
_NOT_VALID = {
    "channel": gettext_lazy("%(value)s is not a valid channel."),
    "direction": gettext_lazy("%(value)s is not a valid direction."),
    "priority": gettext_lazy("%(value)s is not a valid priority."),
    "demeanour": gettext_lazy("%(value)s is not a valid demeanour."),
}


def _check_choices(**values: str) -> None:
    """Services are called from forms, tasks and the shell: refuse values no form offers."""
    allowed = {
        "channel": Channel.values,
        "direction": Direction.values,
        "priority": Priority.values,
        "demeanour": Demeanour.values,
    }
    for name, value in values.items():
        if value not in allowed[name]:
            raise NotAllowed(str(_NOT_VALID[name]) % {"value": repr(value)})


@transaction.atomic
def open_case(
    *,
    by: User,
    customer: Customer,
    team: Team,
    subject: str,
    category: Category,
    channel: str,
    priority: str = Priority.NORMAL,
    demeanour: str = Demeanour.CALM,
    assignee: User | None = None,
    first_summary: str = "",
    first_minutes: int = 0,
) -> Case:
    """Open a case; with a first summary, log it as the first interaction (case → open).
    Refused for a customer whose personal data was erased."""
    _check_choices(channel=channel, priority=priority, demeanour=demeanour)
    lock_live_customer(customer)
    if assignee is not None and not can_assign(team, assignee):
        raise NotAllowed(not_a_member(assignee, team))
    case = Case.objects.create(
        customer=customer,
        team=team,
        subject=subject.strip(),
        category=category,
        channel=channel,
        priority=priority,
        demeanour=demeanour,
        assignee=assignee,
        created_by=by,
    )
    record_event(case, actor=by, kind=EventKind.OPENED, to_value=case.subject)
    surges_changed(team.pk)
    if first_summary.strip():
        log_interaction(
            case,
            by=by,
            channel=channel,
            direction=Direction.INBOUND,
            summary=first_summary,
            demeanour=demeanour,
            minutes=first_minutes,
        )
        case.refresh_from_db()
    return case


def _keep_promise(case: Case, *, by: User, promise: str, due_at: datetime) -> None:
    """A promise to a customer is a task with reminders, so it cannot be forgotten: the
    one who made it keeps it, else the case's owner, else a manager of the team."""
    keeper = next(
        (p for p in (by, case.assignee) if p is not None and can_assign(case.team, p)),
        None,
    )
    add_task(
        case,
        by=by,
        title=promise,
        kind="deliver_promise",
        assignee=keeper or recovery_owner(case.team),
        due_at=due_at,
    )


@transaction.atomic
def log_interaction(
    case: Case,
    *,
    by: User,
    channel: str,
    direction: str,
    summary: str,
    demeanour: str,
    minutes: int = 0,
    promise: str = "",
    promise_due_at: datetime | None = None,
    occurred_at: datetime | None = None,
) -> Interaction:
    """Record one contact. A new case opens; the case's demeanour follows the latest one."""
    if case.status == Status.CLOSED:
        raise NotAllowed(gettext("This case is closed. Open a new case for a new matter."))
    _check_choices(channel=channel, direction=direction, demeanour=demeanour)
    if promise.strip() and promise_due_at and (error := due_time_error(promise_due_at)):
        raise NotAllowed(
            # Translators: %(problem)s is a sentence about the date, its first letter lowered.
            gettext("Promised by: %(problem)s") % {"problem": f"{error[0].lower()}{error[1:]}"}
        )
    now = timezone.now()
    interaction = Interaction.objects.create(
        case=case,
        author=by,
        occurred_at=occurred_at or now,
        channel=channel,
        direction=direction,
        summary=summary.strip(),
        demeanour=demeanour,
        minutes=minutes,
        promise=promise.strip(),
        promise_due_at=promise_due_at if promise.strip() else None,
    )
    record_event(case, actor=by, kind=EventKind.INTERACTION, interaction=interaction)
    if interaction.promise and interaction.promise_due_at:
        _keep_promise(case, by=by, promise=interaction.promise, due_at=interaction.promise_due_at)
    open_if_new(case, by=by, now=now)
    latest = case.interactions.order_by("-occurred_at", "-id").values_list("demeanour", flat=True)
    latest_demeanour = latest.first()
    updates: dict[str, object] = {"last_activity_at": now, "updated_at": now}
    if latest_demeanour and latest_demeanour != case.demeanour:
        record_event(
            case,
            actor=by,
            kind=EventKind.DEMEANOUR,
            from_value=case.demeanour,
            to_value=latest_demeanour,
        )
        updates["demeanour"] = latest_demeanour
    Case.objects.filter(pk=case.pk).update(**updates)
    case.refresh_from_db()
    return interaction


@transaction.atomic
def reassign_case(case: Case, *, by: User, assignee: User | None) -> Case:
    """Give the case to a member of its team (or to nobody)."""
    if assignee is not None and not can_assign(case.team, assignee):
        raise NotAllowed(not_a_member(assignee, case.team))
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    before = str(case.assignee) if case.assignee_id else ""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(assignee=assignee, updated_at=now, last_activity_at=now)
    record_event(
        case,
        actor=by,
        kind=EventKind.ASSIGNEE,
        from_value=before,
        to_value=str(assignee) if assignee else "",
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def update_triage(
    case: Case, *, by: User, priority: str | None = None, demeanour: str | None = None
) -> Case:
    """Change priority and/or demeanour; one timeline event per field that changed."""
    if case.status == Status.CLOSED:
        raise NotAllowed(gettext("This case is closed."))
    _check_choices(
        **{k: v for k, v in (("priority", priority), ("demeanour", demeanour)) if v is not None}
    )
    updates: dict[str, object] = {}
    for field, kind, value in (
        ("priority", EventKind.PRIORITY, priority),
        ("demeanour", EventKind.DEMEANOUR, demeanour),
    ):
        old = getattr(case, field)
        if value is not None and value != old:
            updates[field] = value
            record_event(case, actor=by, kind=kind, from_value=old, to_value=value)
    if updates:
        now = timezone.now()
        if priority is not None and "priority" in updates:
            updates["priority_rank"] = PRIORITY_RANK[priority]
        Case.objects.filter(pk=case.pk).update(updated_at=now, last_activity_at=now, **updates)
        case.refresh_from_db()
    return case


@transaction.atomic
def resolve_case(
    case: Case,
    *,
    by: User,
    outcome: str,
    summary: str,
    email_customer: bool = False,
    next_step: str = "",
    reflection: str = "",
) -> Case:
    """Resolve an open case with an outcome and a summary (both required); schedule the
    follow-ups the rules ask for; optionally tell the customer what happens next."""
    if outcome not in Outcome.values:
        raise NotAllowed(gettext("Choose an outcome."))
    if not summary.strip():
        raise NotAllowed(gettext("Write a resolution summary."))
    now = timezone.now()
    # A case settled at the first contact still passes through "open".
    open_if_new(case, by=by, now=now)
    before = case.status
    move_status(
        case,
        from_=Status.OPEN,
        to=Status.RESOLVED,
        now=now,
        outcome=outcome,
        resolution_summary=summary.strip(),
        reflection=reflection.strip(),
        resolved_at=now,
    )
    record_event(
        case,
        actor=by,
        kind=EventKind.RESOLVED,
        from_value=before,
        to_value=outcome,
        note=summary.strip(),
    )
    apply_follow_up_rules(case, by=by, resolved_at=now)
    if email_customer:
        queue_customer_update(case, by=by, next_step=next_step)
    return case


@transaction.atomic
def reopen_case(case: Case, *, by: User, reason: str) -> Case:
    """Reopen a resolved case; the reason goes on the timeline."""
    if not reason.strip():
        raise NotAllowed(gettext("Say why the case is being reopened."))
    now = timezone.now()
    move_status(
        case,
        from_=Status.RESOLVED,
        to=Status.OPEN,
        now=now,
        outcome="",
        resolution_summary="",
        resolved_at=None,
    )
    record_event(
        case,
        actor=by,
        kind=EventKind.REOPENED,
        from_value=Status.RESOLVED,
        to_value=Status.OPEN,
        note=reason.strip(),
    )
    return case


def close_quiet_cases(*, now: datetime | None = None, limit: int = 500) -> int:
    """Close resolved cases quiet for CASEDESK_AUTO_CLOSE_DAYS; returns how many closed.

    Each case is claimed by its own conditional update, so two sweeps at once close each
    case once and write one event for it.
    """
    now = now or timezone.now()
    days = settings.CASEDESK_AUTO_CLOSE_DAYS
    cutoff = now - timedelta(days=days)
    ids = list(
        Case.objects.filter(
            status=Status.RESOLVED, resolved_at__lt=cutoff, last_activity_at__lt=cutoff
        )
        .order_by("resolved_at")
        .values_list("id", flat=True)[:limit]
    )
    closed = 0
    for case_id in ids:
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=case_id, status=Status.RESOLVED, last_activity_at__lt=cutoff
            ).update(status=Status.CLOSED, closed_at=now, updated_at=now)
            if claimed:
                CaseEvent.objects.create(
                    case_id=case_id,
                    actor=None,
                    kind=EventKind.CLOSED,
                    from_value=Status.RESOLVED,
                    to_value=Status.CLOSED,
                    note=_closed_note(days),
                )
                closed += 1
    return closed


def _closed_note(days: int) -> str:
    """The timeline's note on a case closed by the sweep: kept text, so it is written in
    the business's language (the sweep runs outside any request anyway)."""
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "Closed automatically after %(days)d quiet day.",
            "Closed automatically after %(days)d quiet days.",
            days,
        ) % {"days": days}


@transaction.atomic
def mark_case_study(case: Case, *, by: User, kind: str, title: str, write_up: str) -> Any:
    """A manager turns a resolved case into a worked example for coaching (once)."""
    if by.role not in {Role.MANAGER, Role.ADMIN}:
        raise NotAllowed(gettext("Only managers mark case studies."))
    if case.status not in {Status.RESOLVED, Status.CLOSED}:
        raise NotAllowed(gettext("Only a resolved case can become a case study."))
    if kind not in StudyKind.values or not title.strip() or not write_up.strip():
        raise NotAllowed(gettext("Choose the kind and write a title and the write-up."))
    # Lock the case: two managers clicking at once make one study and one message.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if CaseStudy.objects.filter(case=case).exists():
        raise NotAllowed(gettext("This case is already a case study."))
    return CaseStudy.objects.create(
        case=case,
        kind=kind,
        title=title.strip(),
        write_up=write_up.strip(),
        demeanour=case.demeanour,
        category_id=case.category_id,
        created_by=by,
    )
