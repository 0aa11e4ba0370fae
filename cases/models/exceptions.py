"""Policies attached to a case, the discretion ladder, and exception requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from policies.models import AllowedException, Policy, PolicyVersion

from .case_team import OnCaseTeam
from .cases import Case, CaseScopedQuerySet
from .people import Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class CasePolicy(models.Model):
    """A policy involved in a case, pinned to the version in force when it was attached."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_policies")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attached_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "policy"], name="case_policy_once")]

    def __str__(self) -> str:
        return f"{self.policy_version} on {self.case_id}"


class Level(models.IntegerChoices):
    """Who may grant: the discretion ladder. Higher includes lower."""

    STAFF = 1, pgettext_lazy("role", "Staff")
    MANAGER = 2, pgettext_lazy("role", "Manager")
    ADMIN = 3, pgettext_lazy("role", "Admin")


ROLE_LEVEL = {Role.STAFF: Level.STAFF, Role.MANAGER: Level.MANAGER, Role.ADMIN: Level.ADMIN}


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("exception request status", "Waiting for a decision")
    GRANTED = (
        "granted",
        pgettext_lazy("exception request status", "Granted at once (within discretion)"),
    )
    APPROVED = "approved", pgettext_lazy("exception request status", "Approved")
    COUNTERED = "countered", pgettext_lazy("exception request status", "Approved at a lower value")
    DENIED = "denied", pgettext_lazy("exception request status", "Denied")
    WITHDRAWN = "withdrawn", pgettext_lazy("exception request status", "Withdrawn")


DECIDED_STATUSES = (RequestStatus.APPROVED, RequestStatus.COUNTERED, RequestStatus.DENIED)
GRANTED_STATUSES = (RequestStatus.GRANTED, RequestStatus.APPROVED, RequestStatus.COUNTERED)


class ExceptionRequestQuerySet(CaseScopedQuerySet):
    def decidable_by(self, user: User | AnonymousUser) -> ExceptionRequestQuerySet:
        """Pending requests this user may decide: their teams' (admins: all), at or below
        their level, never their own."""
        if not user.is_authenticated or user.role == Role.STAFF:
            return self.none()
        qs = self.visible_to(user).filter(
            status=RequestStatus.PENDING, required_level__lte=ROLE_LEVEL[Role(user.role)]
        )
        if user.role != Role.ADMIN:
            # The same teams again, on the request's own copy of its case's team (a key
            # holds the two equal): PostgreSQL then reads just these teams' pending
            # requests from request_pending_team_idx, not every team's (their number
            # grows with the whole database, bench/results/scale-3m-before-fixes-2026-11-30-2050/).
            qs = qs.filter(team_id__in=user.team_ids())
        return qs.exclude(requested_by=user)


class ExceptionRequest(OnCaseTeam):
    """A request on a case to grant an exception, with the limits in force when asked.

    The allowed exception's name and limits are copied in, so a later edit of the policy
    library never changes what was asked, who could decide it, or what was granted.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="exception_requests", db_index=False
    )  # request_case_idx leads with it
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    allowed_exception = models.ForeignKey(
        AllowedException, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exception_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16)
    staff_limit = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    manager_limit = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    max_value = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    value = models.DecimalField(gettext_lazy("Value asked"), max_digits=10, decimal_places=2)
    # With this request: what is granted or waiting for the same allowed exception on the
    # case and (within the exception's window) for the customer — what set required_level.
    running_total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    customer_ask = models.TextField(gettext_lazy("What the customer asked for"), max_length=2000)
    justification = models.TextField(max_length=4000)
    required_level = models.PositiveSmallIntegerField(choices=Level.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices)
    granted_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)

    objects = ExceptionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            # Approvals queue: pending, oldest first.
            models.Index(
                fields=["status", "required_level", "requested_at"], name="request_queue_idx"
            ),
            # A manager's queue and badge: their teams' pending requests, oldest first.
            models.Index(
                fields=["team", "requested_at"],
                name="request_pending_team_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["case", "requested_at"], name="request_case_idx"),
            # Insights: a team's requests in a period.
            models.Index(fields=["team", "requested_at"], name="request_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="request_value_positive"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="request_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "countered", "denied"])
                | (
                    Q(decided_by__isnull=False)
                    & Q(decided_at__isnull=False)
                    & ~Q(decision_reason="")
                ),
                name="request_decision_has_decider_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(granted_value__isnull=True)
                | (Q(granted_value__gt=0) & Q(granted_value__lte=models.F("value"))),
                name="request_granted_within_asked",
            ),
            models.CheckConstraint(
                condition=~Q(status="countered") | Q(granted_value__lt=models.F("value")),
                name="request_counter_below_asked",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["granted", "approved", "countered"])
                | Q(granted_value__isnull=False),
                name="request_granted_has_value",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["granted", "approved", "countered"])
                | Q(granted_value__isnull=True),
                name="request_only_granted_has_value",
            ),
            models.CheckConstraint(
                condition=Q(allowed_exception__isnull=True) | Q(value__lte=models.F("max_value")),
                name="request_within_policy_maximum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exception_name} ({self.value}) on {self.case_id}"

    @property
    def off_policy(self) -> bool:
        return self.allowed_exception_id is None

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING
