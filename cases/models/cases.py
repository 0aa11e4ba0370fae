"""Cases: status, priority, outcome, channel, references, and the scoping shared by
rows that belong to a case."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

from policies.models import Category, Demeanour

from .people import Role, Team, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    OPEN = "open", pgettext_lazy("case status", "Open")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("case status", "Pending approval")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_APPROVAL)


class Priority(models.TextChoices):
    LOW = "low", pgettext_lazy("case priority", "Low")
    NORMAL = "normal", pgettext_lazy("case priority", "Normal")
    HIGH = "high", pgettext_lazy("case priority", "High")
    URGENT = "urgent", pgettext_lazy("case priority", "Urgent")


# Sorting by priority means by urgency, not alphabetically: the rank is stored beside the
# code so that the sort can use an index.
PRIORITY_RANK = {"low": 1, "normal": 2, "high": 3, "urgent": 4}


class Outcome(models.TextChoices):
    WITHIN_POLICY = "within_policy", gettext_lazy("Resolved within policy")
    COMPROMISE = "compromise", gettext_lazy("Compromise offered")
    EXCEPTION_GRANTED = "exception_granted", gettext_lazy("Exception granted")
    POLICY_UPHELD = "policy_upheld", gettext_lazy("Declined, policy upheld")
    REFERRED = "referred", gettext_lazy("Referred elsewhere")
    DISENGAGED = "disengaged", gettext_lazy("Disengaged")


# How a contact reaches us: a case's first channel, each interaction's, a customer's preferred.
class Channel(models.TextChoices):
    IN_PERSON = "in_person", pgettext_lazy("contact channel", "In person")
    PHONE = "phone", pgettext_lazy("contact channel", "Phone")
    EMAIL = "email", pgettext_lazy("contact channel", "Email")
    CHAT = "chat", pgettext_lazy("contact channel", "Chat")
    SOCIAL = "social", pgettext_lazy("contact channel", "Social media")
    LETTER = "letter", pgettext_lazy("contact channel", "Letter")


REFERENCE_RE = re.compile(r"^\s*CD-?0*(\d{1,12})\s*$", re.IGNORECASE)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User | AnonymousUser) -> CaseQuerySet:
        """The one way in to cases: admins see all, everyone else their teams' cases."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        return self.filter(team_id__in=user.team_ids())


class Case(models.Model):
    """One matter with one customer. Its reference is derived from its id: CD-000123."""

    # By name: customers.py imports this module (a customer is visible through its cases).
    customer = models.ForeignKey(
        "Customer", on_delete=models.PROTECT, related_name="cases", db_index=False
    )  # case_customer_idx leads with it
    # No single-column indexes on team and category: composite indexes lead with them.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases", db_index=False)
    subject = models.CharField(max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    priority_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    demeanour = models.CharField(max_length=24, choices=Demeanour.choices, default=Demeanour.CALM)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,  # case_mine_idx leads with it
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    resolution_summary = models.TextField(blank=True, max_length=10000)
    # "What would you do differently?" — offered when resolving; feeds case studies.
    reflection = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Last interaction or change: drives "by last activity", staleness and auto-close.
    last_activity_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Case list: a team's cases, newest first, optionally by status.
            # The id tiebreak is in the index so the list's ORDER BY needs no sort step.
            # category rides along so that weekly counts per category (surges on the
            # managers' home) are answered from the index alone.
            models.Index(
                fields=["team", "-created_at", "-id"],
                include=["category"],
                name="case_team_created_idx",
            ),
            models.Index(fields=["team", "status", "-created_at"], name="case_team_status_idx"),
            models.Index(fields=["status", "-created_at"], name="case_status_created_idx"),
            models.Index(
                fields=["-created_at", "-id"], include=["category"], name="case_created_idx"
            ),
            models.Index(fields=["-updated_at"], name="case_updated_idx"),
            # Home: my open cases by last activity.
            models.Index(fields=["assignee", "status", "-last_activity_at"], name="case_mine_idx"),
            models.Index(fields=["team", "status", "last_activity_at"], name="case_stale_idx"),
            # Home: my active cases by last activity, read in order and cut at 20 (with
            # the status IN on case_mine_idx, a manager's 100+ active cases were fetched
            # and sorted). Partial: it holds only active cases.
            models.Index(
                fields=["assignee", "-last_activity_at"],
                condition=Q(status__in=["new", "open", "pending_approval"]),
                name="case_mine_active_idx",
            ),
            # A customer's profile: their cases, newest first.
            models.Index(fields=["customer", "-created_at"], name="case_customer_idx"),
            # "Has a case in my teams", probed customer by customer from the index alone
            # (search as you type walks names in order and stops at its limit).
            models.Index(fields=["customer", "team"], name="case_customer_team_idx"),
            # The managers' home: a team's unassigned active cases, oldest first, and its
            # open cases quiet longest. Partial, so they hold only the few active cases.
            models.Index(
                fields=["team", "created_at"],
                condition=Q(assignee__isnull=True, status__in=["new", "open", "pending_approval"]),
                name="case_unassigned_idx",
            ),
            models.Index(
                fields=["team", "last_activity_at"],
                condition=Q(status__in=["open", "pending_approval"]),
                name="case_quiet_idx",
            ),
            models.Index(fields=["category", "-created_at"], name="case_category_idx"),
            models.Index(fields=["demeanour", "-created_at"], name="case_demeanour_idx"),
            models.Index(fields=["priority", "-created_at"], name="case_priority_idx"),
            # Sorted by urgency: all cases, or a team's.
            models.Index(fields=["-priority_rank", "-id"], name="case_rank_idx"),
            models.Index(fields=["team", "-priority_rank", "-id"], name="case_team_rank_idx"),
            models.Index(fields=["status", "resolved_at"], name="case_autoclose_idx"),
            # Insights: resolutions in a period, by team.
            models.Index(fields=["team", "resolved_at"], name="case_team_resolved_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | ~Q(outcome=""),
                name="case_resolved_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | Q(resolved_at__isnull=False),
                name="case_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.priority_rank = PRIORITY_RANK.get(self.priority, 2)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.reference])

    @property
    def reference(self) -> str:
        return format_reference(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def format_reference(pk: int) -> str:
    return f"CD-{pk:06d}"


def parse_reference(text: str) -> int | None:
    """The case id in "CD-000123" (or "cd123"), or None when it is not a reference."""
    match = REFERENCE_RE.match(text)
    return int(match.group(1)) if match else None


class CaseScopedQuerySet(models.QuerySet[Any]):
    """For rows that belong to a case: visible exactly when their case is."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        return self.filter(case__team_id__in=user.team_ids())
