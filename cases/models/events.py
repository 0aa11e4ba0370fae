"""The case timeline: event kinds and the append-only CaseEvent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .cases import Case
from .interactions import Interaction


class EventKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    INTERACTION = "interaction", "Interaction logged"
    STATUS = "status", "Status changed"
    ASSIGNEE = "assignee", "Reassigned"
    PRIORITY = "priority", "Priority changed"
    DEMEANOUR = "demeanour", "Demeanour changed"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"
    POLICY = "policy", "Policy attached"
    EXCEPTION_REQUESTED = "exc_requested", "Exception requested"
    EXCEPTION_GRANTED = "exc_granted", "Exception granted"
    EXCEPTION_DECIDED = "exc_decided", "Exception decided"
    EXCEPTION_WITHDRAWN = "exc_withdrawn", "Exception request withdrawn"
    TASK_ADDED = "task_added", "Follow-up task added"
    TASK_CHANGED = "task_changed", "Follow-up task changed"
    TASK_DONE = "task_done", "Follow-up task done"
    TASK_CANCELLED = "task_cancelled", "Follow-up task cancelled"
    CUSTOMER_EMAILED = "customer_emailed", "Customer emailed"
    FEEDBACK = "feedback", "Feedback received"
    FILE_REMOVED = "file_removed", "File removed"


class CaseEvent(models.Model):
    """An append-only line on the case timeline: who did what, when, from what to what."""

    # event_case_idx leads with the case: no second index on 9M rows.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, null=True, blank=True, related_name="event"
    )
    exception_request = models.ForeignKey(
        "ExceptionRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    task = models.ForeignKey(
        "FollowUpTask", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="event_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise TypeError("Case events are append-only.")
        super().save(*args, **kwargs)
