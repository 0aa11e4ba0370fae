"""Reminders: scheduled emails, one row per message, claimed by the sweep."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from .case_team import OnCaseTeam
from .cases import Case
from .exceptions import ExceptionRequest
from .followups import FollowUpTask


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", gettext_lazy("Due soon (to the assignee)")
    OVERDUE = "overdue", gettext_lazy("Overdue (to the team's managers)")
    APPROVAL = "approval", gettext_lazy("Approval waiting too long (to the deciders)")
    EXCEPTION_REQUESTED = "exc_requested", gettext_lazy("Exception to decide (to the deciders)")
    EXCEPTION_DECIDED = "exc_decided", gettext_lazy("Exception decided (to the requester)")
    FEEDBACK = "feedback", gettext_lazy("Feedback request (to the customer)")
    CUSTOMER_UPDATE = "customer_update", gettext_lazy("What happens next (to the customer)")


class ReminderState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("reminder state", "Pending")
    SENDING = "sending", pgettext_lazy("reminder state", "Sending")
    SENT = "sent", pgettext_lazy("reminder state", "Sent")
    FAILED = "failed", pgettext_lazy("reminder state", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("reminder state", "Cancelled")


class Reminder(OnCaseTeam):
    """One email to send at a time: the database holds the schedule.

    The sweep claims a due row (pending → sending) by conditional update, sends outside any
    transaction with a Message-ID fixed for this row and generation, then marks it sent. A
    sender that dies after the mail server accepted but before marking leaves a "sending"
    row that a later sweep reclaims: the one duplicate, with the same Message-ID.
    """

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    task = models.ForeignKey(
        FollowUpTask, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    exception_request = models.ForeignKey(
        ExceptionRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    feedback = models.ForeignKey(
        "FeedbackRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    # Bumped on reschedule: a new due time is a new message, with a new Message-ID.
    generation = models.PositiveIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True, help_text=gettext_lazy("Extra text for the message."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep: the oldest due pending rows; stale "sending" rows.
            models.Index(fields=["state", "due_at", "id"], name="reminder_due_idx"),
            models.Index(fields=["state", "claimed_at"], name="reminder_claimed_idx"),
            # Insights: a team's reminders due in a period.
            models.Index(fields=["team", "due_at"], name="reminder_team_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind"],
                condition=Q(task__isnull=False),
                name="reminder_once_per_task_kind",
            ),
            models.UniqueConstraint(
                fields=["exception_request", "kind"],
                condition=Q(exception_request__isnull=False),
                name="reminder_once_per_request_kind",
            ),
            models.UniqueConstraint(
                fields=["feedback"],
                condition=Q(feedback__isnull=False),
                name="reminder_once_per_feedback",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="reminder_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        # Translators: a reminder in the admin: its kind, a case id and a date and time.
        return gettext("%(kind)s for %(case)s at %(when)s") % {
            "kind": self.get_kind_display(),
            "case": self.case_id,
            "when": f"{self.due_at:%Y-%m-%d %H:%M}",
        }

    @property
    def message_id(self) -> str:
        return f"<reminder-{self.pk}.{self.generation}@casedesk>"
