"""Teams and people, customers, cases, interactions and the case timeline."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from policies.models import AllowedException, Category, Demeanour, Policy, PolicyVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class Team(models.Model):
    """A store, branch or desk. Cases belong to one team; people to one or more."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_manager(self) -> bool:
        return self.role in {Role.MANAGER, Role.ADMIN}

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    def team_ids(self) -> list[int]:
        """The user's team ids, fetched once per request object."""
        cached = getattr(self, "_team_ids", None)
        if cached is None:
            cached = list(self.teams.values_list("id", flat=True))
            self._team_ids = cached
        return cached


def visible_teams(user: User | AnonymousUser) -> models.QuerySet[Team]:
    """The teams whose data this user may see: all for admins, their own otherwise."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.role == Role.ADMIN:
        return Team.objects.all()
    return Team.objects.filter(id__in=user.team_ids())


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    SOCIAL = "social", "Social media"
    LETTER = "letter", "Letter"


class CustomerFlag(models.TextChoices):
    DISENGAGE = "disengage", "Abusive: disengage"
    TWO_STAFF = "two_staff", "Two staff present"
    FREQUENT_RETURNER = "frequent_returner", "Frequent returner"
    WRITTEN_ONLY = "written_only", "Wants everything in writing"
    VIP = "vip", "Valued customer"


# Flags that change how staff must behave are shown in red; the rest in amber/blue.
DANGER_FLAGS = {CustomerFlag.DISENGAGE, CustomerFlag.TWO_STAFF}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """Digits only, with a leading + kept, so "+44 20 7946-0000" matches "+442079460000"."""
    phone = phone.strip()
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.startswith("+") and digits else digits


class CustomerQuerySet(models.QuerySet["Customer"]):
    def visible_to(self, user: User | AnonymousUser) -> CustomerQuerySet:
        """Customers of the user's teams: registered by one, or with a case in one."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        team_ids = user.team_ids()
        has_case = Case.objects.filter(customer=OuterRef("pk"), team_id__in=team_ids)
        return self.filter(Q(team_id__in=team_ids) | Exists(has_case))


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email_normalised = models.CharField(max_length=254, blank=True, editable=False)
    phone_normalised = models.CharField(max_length=40, blank=True, editable=False)
    preferred_channel = models.CharField(
        max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    preferences = models.TextField("Notes on preferences", blank=True)
    flags = models.JSONField(default=list, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="customers", help_text="Registered by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Duplicate warnings and search by email/phone.
            models.Index(fields=["email_normalised"], name="customer_email_idx"),
            models.Index(fields=["phone_normalised"], name="customer_phone_idx"),
            models.Index(fields=["team", "name"], name="customer_team_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.email_normalised = normalise_email(self.email)
        self.phone_normalised = normalise_phone(self.phone)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("customer_detail", args=[self.pk])

    def flag_labels(self) -> list[tuple[str, str, bool]]:
        """(code, label, is_danger) for each flag, in a stable order."""
        if not self.flags:
            return []  # most customers: on every row of every case list
        return [
            (code, label, code in DANGER_FLAGS)
            for code, label in CustomerFlag.choices
            if code in self.flags
        ]


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_APPROVAL)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


# Sorting by priority means by urgency, not alphabetically: the rank is stored beside the
# code so that the sort can use an index.
PRIORITY_RANK = {"low": 1, "normal": 2, "high": 3, "urgent": 4}


class Outcome(models.TextChoices):
    WITHIN_POLICY = "within_policy", "Resolved within policy"
    COMPROMISE = "compromise", "Compromise offered"
    EXCEPTION_GRANTED = "exception_granted", "Exception granted"
    POLICY_UPHELD = "policy_upheld", "Declined, policy upheld"
    REFERRED = "referred", "Referred elsewhere"
    DISENGAGED = "disengaged", "Disengaged"


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

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases", db_index=False
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
    resolution_summary = models.TextField(blank=True)
    # "What would you do differently?" — offered when resolving; feeds case studies.
    reflection = models.TextField(blank=True)
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
            # A customer's profile: their cases, newest first.
            models.Index(fields=["customer", "-created_at"], name="case_customer_idx"),
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


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Interaction(models.Model):
    """One contact within a case."""

    # Indexed by interaction_case_idx, which leads with the case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    summary = models.TextField()
    demeanour = models.CharField(max_length=24, choices=Demeanour.choices)
    minutes = models.PositiveIntegerField("Minutes spent", default=0)
    promise = models.CharField("Promise made", max_length=300, blank=True)
    promise_due_at = models.DateTimeField("Promised by", null=True, blank=True)
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(promise="") | Q(promise_due_at__isnull=False),
                name="interaction_promise_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.occurred_at:%Y-%m-%d}"


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


class Heartbeat(models.Model):
    """The last time a background process proved it runs (one row per process kind)."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


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

    STAFF = 1, "Staff"
    MANAGER = 2, "Manager"
    ADMIN = 3, "Admin"


ROLE_LEVEL = {Role.STAFF: Level.STAFF, Role.MANAGER: Level.MANAGER, Role.ADMIN: Level.ADMIN}


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    GRANTED = "granted", "Granted at once (within discretion)"
    APPROVED = "approved", "Approved"
    COUNTERED = "countered", "Approved at a lower value"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


DECIDED_STATUSES = (RequestStatus.APPROVED, RequestStatus.COUNTERED, RequestStatus.DENIED)
GRANTED_STATUSES = (RequestStatus.GRANTED, RequestStatus.APPROVED, RequestStatus.COUNTERED)


class CaseScopedQuerySet(models.QuerySet[Any]):
    """For rows that belong to a case: visible exactly when their case is."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        return self.filter(case__team_id__in=user.team_ids())


class ExceptionRequestQuerySet(CaseScopedQuerySet):
    def decidable_by(self, user: User | AnonymousUser) -> ExceptionRequestQuerySet:
        """Pending requests this user may decide: their teams' (admins: all), at or below
        their level, never their own."""
        if not user.is_authenticated or user.role == Role.STAFF:
            return self.none()
        qs = self.visible_to(user).filter(
            status=RequestStatus.PENDING, required_level__lte=ROLE_LEVEL[user.role]
        )
        return qs.exclude(requested_by=user)


class ExceptionRequest(models.Model):
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
    value = models.DecimalField("Value asked", max_digits=10, decimal_places=2)
    customer_ask = models.TextField("What the customer asked for")
    justification = models.TextField()
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
    decision_reason = models.TextField(blank=True)

    objects = ExceptionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            # Approvals queue: pending, oldest first.
            models.Index(
                fields=["status", "required_level", "requested_at"], name="request_queue_idx"
            ),
            models.Index(fields=["case", "requested_at"], name="request_case_idx"),
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


class TaskKind(models.TextChoices):
    CALL_BACK = "call_back", "Call back"
    CHECK_SATISFACTION = "check_satisfaction", "Check the customer is satisfied"
    DELIVER_PROMISE = "deliver_promise", "Deliver what was promised"
    INTERNAL = "internal", "Internal step"
    SERVICE_RECOVERY = "service_recovery", "Service recovery"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class FollowUpTask(models.Model):
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
    outcome_note = models.TextField(blank=True)
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


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon (to the assignee)"
    OVERDUE = "overdue", "Overdue (to the team's managers)"
    APPROVAL = "approval", "Approval waiting too long (to the deciders)"
    EXCEPTION_REQUESTED = "exc_requested", "Exception to decide (to the deciders)"
    EXCEPTION_DECIDED = "exc_decided", "Exception decided (to the requester)"
    FEEDBACK = "feedback", "Feedback request (to the customer)"
    CUSTOMER_UPDATE = "customer_update", "What happens next (to the customer)"


class ReminderState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Reminder(models.Model):
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
    note = models.TextField(blank=True, help_text="Extra text for the message.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep: the oldest due pending rows; stale "sending" rows.
            models.Index(fields=["state", "due_at", "id"], name="reminder_due_idx"),
            models.Index(fields=["state", "claimed_at"], name="reminder_claimed_idx"),
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
        return f"{self.get_kind_display()} for {self.case_id} at {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def message_id(self) -> str:
        return f"<reminder-{self.pk}.{self.generation}@casedesk>"


class FeedbackRequest(models.Model):
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
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
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
        return f"Feedback on {self.case_id}"


class StudyKind(models.TextChoices):
    WENT_WELL = "went_well", "Went well"
    LESSON = "lesson", "Lesson learned"


class CaseStudy(models.Model):
    """A resolved case a manager marked as a worked example for coaching."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="study")
    kind = models.CharField(max_length=12, choices=StudyKind.choices)
    title = models.CharField(max_length=200)
    write_up = models.TextField()
    # Copied from the case so that browsing by them needs no join and stays stable.
    demeanour = models.CharField(max_length=24, choices=Demeanour.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "case studies"
        indexes = [
            models.Index(fields=["category", "demeanour"], name="study_match_idx"),
        ]

    def __str__(self) -> str:
        return self.title
