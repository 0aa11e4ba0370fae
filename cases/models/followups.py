"""Follow-up tasks on a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from .case_team import OnCaseTeam
from .cases import Case, CaseScopedQuerySet


class TaskKind(models.TextChoices):
    CALL_BACK = "call_back", gettext_lazy("Call back")
    CHECK_SATISFACTION = "check_satisfaction", gettext_lazy("Check the customer is satisfied")
    DELIVER_PROMISE = "deliver_promise", gettext_lazy("Deliver what was promised")
    INTERNAL = "internal", gettext_lazy("Internal step")
    SERVICE_RECOVERY = "service_recovery", gettext_lazy("Service recovery")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class FollowUpTask(OnCaseTeam):
    """Something to do later on a case; its reminders are rows in Reminder."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="tasks", db_index=False
    )  # task_case_idx leads with it
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks", db_index=False
    )  # task_mine_idx leads with it
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome_note = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # My tasks by due time; the team's open tasks by due time.
            models.Index(fields=["assignee", "status", "due_at"], name="task_mine_idx"),
            models.Index(fields=["status", "due_at"], name="task_due_idx"),
            models.Index(fields=["case", "due_at"], name="task_case_idx"),
            # Insights: a team's tasks due in a period.
            models.Index(fields=["team", "due_at"], name="task_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_at__isnull=False),
                name="task_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN
