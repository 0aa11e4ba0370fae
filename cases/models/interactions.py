"""Interactions: each contact within a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from policies.models import Demeanour

from .case_team import OnCaseTeam
from .cases import Case, Channel


class Direction(models.TextChoices):
    INBOUND = "inbound", pgettext_lazy("contact direction", "Inbound")
    OUTBOUND = "outbound", pgettext_lazy("contact direction", "Outbound")


class Interaction(OnCaseTeam):
    """One contact within a case."""

    # Indexed by interaction_case_idx, which leads with the case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    summary = models.TextField(max_length=10000)
    demeanour = models.CharField(max_length=24, choices=Demeanour.choices)
    minutes = models.PositiveIntegerField(gettext_lazy("Minutes spent"), default=0)
    promise = models.CharField(gettext_lazy("Promise made"), max_length=300, blank=True)
    promise_due_at = models.DateTimeField(gettext_lazy("Promised by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            # minutes rides along: time spent per customer is summed from the index alone.
            models.Index(
                fields=["case", "occurred_at"], include=["minutes"], name="interaction_case_idx"
            ),
            # Customer profile: minutes over the last 12 months.
            models.Index(fields=["occurred_at"], name="interaction_occurred_idx"),
            # Insights: a team's interactions in a period, and the minutes and case of each.
            models.Index(
                fields=["team", "occurred_at"],
                include=["case", "minutes"],
                name="interaction_team_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(promise="") | Q(promise_due_at__isnull=False),
                name="interaction_promise_has_date",
            ),
        ]

    def __str__(self) -> str:
        # Translators: an interaction in the admin: its channel ("Phone") and its date.
        return gettext("%(channel)s on %(day)s") % {
            "channel": self.get_channel_display(),
            "day": f"{self.occurred_at:%Y-%m-%d}",
        }
