"""Feedback requests: the customer's single-use rating link."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from .case_team import OnCaseTeam
from .cases import Case


class FeedbackRequest(OnCaseTeam):
    """A private, single-use, expiring link for the customer to rate the service.

    The link's token is derived from a random salt and the server's secret; the database
    keeps only its hash, so the table alone cannot produce a working link.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback_requests")
    email = models.EmailField()
    salt = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    send_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Insights: a team's requests planned for a period, and its ratings given in one.
            models.Index(fields=["team", "send_at"], name="feedback_team_sent_idx"),
            models.Index(fields=["team", "used_at"], name="feedback_team_used_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="feedback_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(used_at__isnull=False),
                name="feedback_rated_is_used",
            ),
        ]

    def __str__(self) -> str:
        # Translators: a feedback request in the admin; %(case)s is a case id.
        return gettext("Feedback on %(case)s") % {"case": self.case_id}
