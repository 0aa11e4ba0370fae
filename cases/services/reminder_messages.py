"""What each reminder says and to whom: composed just before its send, from the rows as
they are then (a task done meanwhile, a request decided, a link used: nothing to send)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import emails
from ..models import (
    ExceptionRequest,
    Level,
    Reminder,
    ReminderKind,
    RequestStatus,
    Role,
    TaskStatus,
    User,
)
from .followups import feedback_token


@dataclass
class Outbound:
    template: str
    to: list[str]
    context: dict[str, object]
    # The recipient's language: a customer's preferred one, one colleague's own; None (the
    # default language) for a list of colleagues.
    language: str | None = None


class Irrelevant(Exception):
    """The reminder no longer applies (task done, request decided, link used)."""


@dataclass
class Lookups:
    """What the rows of one batch share, looked up once: fixed links, a team's managers.
    Lives for one batch only, so a change of managers shows in the next one."""

    links: dict[str, str] = field(default_factory=dict)
    managers: dict[int, list[str]] = field(default_factory=dict)

    def link(self, name: str) -> str:
        if name not in self.links:
            self.links[name] = emails.absolute_url(reverse(name))
        return self.links[name]

    def managers_of(self, team_id: int) -> list[str]:
        if team_id not in self.managers:
            self.managers[team_id] = _managers_of(team_id)
        return self.managers[team_id]


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


def compose(reminder: Reminder, *, lookups: Lookups | None = None) -> Outbound:
    """What to send for this row, or Irrelevant when it no longer applies."""
    lookups = lookups or Lookups()
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
        context["tasks_url"] = lookups.link("my_tasks")
        if reminder.kind == ReminderKind.DUE_SOON:
            assignee = task.assignee
            return Outbound("reminder_due_soon", [assignee.email], context, assignee.language)
        return Outbound("reminder_overdue", lookups.managers_of(case.team_id), context)
    if reminder.kind in {
        ReminderKind.APPROVAL,
        ReminderKind.EXCEPTION_REQUESTED,
        ReminderKind.EXCEPTION_DECIDED,
    }:
        request = ExceptionRequest.objects.select_related(
            "case", "case__team", "requested_by", "decided_by"
        ).get(pk=reminder.exception_request_id)
        context["request"] = request
        context["queue_url"] = lookups.link("approvals")
        if reminder.kind == ReminderKind.EXCEPTION_DECIDED:
            asker = request.requested_by
            return Outbound("exception_decided", [asker.email], context, asker.language)
        if request.status != RequestStatus.PENDING:
            raise Irrelevant("the request was decided")
        template = (
            "reminder_approval" if reminder.kind == ReminderKind.APPROVAL else "exception_requested"
        )
        return Outbound(template, _deciders_of(request), context)
    if reminder.kind == ReminderKind.FEEDBACK:
        feedback = reminder.feedback
        if feedback is None or feedback.used_at or feedback.expires_at <= timezone.now():
            raise Irrelevant("the feedback link is used or expired")
        context["feedback"] = feedback
        context["feedback_url"] = emails.absolute_url(
            reverse("feedback", args=[feedback_token(feedback)])
        )
        language = case.customer.preferred_language
        return Outbound("feedback_request", [feedback.email], context, language)
    if reminder.kind == ReminderKind.CUSTOMER_UPDATE:
        subject, _, body = reminder.note.partition("\n\n")
        context.update(subject=subject, body=body)
        customer = case.customer
        return Outbound("customer_update", [customer.email], context, customer.preferred_language)
    raise Irrelevant(f"unknown kind {reminder.kind}")
