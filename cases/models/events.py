"""The case timeline: event kinds and the append-only CaseEvent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy

from .cases import Case
from .interactions import Interaction


class EventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("case event", "Case opened")
    INTERACTION = "interaction", pgettext_lazy("case event", "Interaction logged")
    STATUS = "status", pgettext_lazy("case event", "Status changed")
    ASSIGNEE = "assignee", pgettext_lazy("case event", "Reassigned")
    PRIORITY = "priority", pgettext_lazy("case event", "Priority changed")
    DEMEANOUR = "demeanour", pgettext_lazy("case event", "Demeanour changed")
    RESOLVED = "resolved", pgettext_lazy("case event", "Resolved")
    REOPENED = "reopened", pgettext_lazy("case event", "Reopened")
    CLOSED = "closed", pgettext_lazy("case event", "Closed")
    POLICY = "policy", pgettext_lazy("case event", "Policy attached")
    EXCEPTION_REQUESTED = "exc_requested", pgettext_lazy("case event", "Exception requested")
    EXCEPTION_GRANTED = "exc_granted", pgettext_lazy("case event", "Exception granted")
    EXCEPTION_DECIDED = "exc_decided", pgettext_lazy("case event", "Exception decided")
    EXCEPTION_WITHDRAWN = (
        "exc_withdrawn",
        pgettext_lazy("case event", "Exception request withdrawn"),
    )
    TASK_ADDED = "task_added", pgettext_lazy("case event", "Follow-up task added")
    TASK_CHANGED = "task_changed", pgettext_lazy("case event", "Follow-up task changed")
    TASK_DONE = "task_done", pgettext_lazy("case event", "Follow-up task done")
    TASK_CANCELLED = "task_cancelled", pgettext_lazy("case event", "Follow-up task cancelled")
    CUSTOMER_EMAILED = "customer_emailed", pgettext_lazy("case event", "Customer emailed")
    FEEDBACK = "feedback", pgettext_lazy("case event", "Feedback received")
    FILE_REMOVED = "file_removed", pgettext_lazy("case event", "File removed")


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
        # Translators: a timeline event in the admin, e.g. "Case opened on 123" (a case id).
        return gettext("%(event)s on %(case)s") % {
            "event": self.get_kind_display(),
            "case": self.case_id,
        }

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise TypeError("Case events are append-only.")
        super().save(*args, **kwargs)
