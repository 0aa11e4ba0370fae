"""The policy library: complaint categories and guidance per customer demeanour."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from casedesk import languages


def version_languages() -> list[tuple[str, str | Promise]]:
    """A text's language: one of LANGUAGES, or the default version, which every language
    without a version of its own falls back to (casedesk.languages.pick)."""
    # Translators: the choice for a text's version used for every language without its own.
    return [(languages.DEFAULT_VERSION, gettext_lazy("Default (any other language)"))] + [
        (code, name) for code, name in languages.choices()
    ]


def _language_field() -> models.CharField:
    return models.CharField(
        gettext_lazy("Language"),
        max_length=16,
        blank=True,
        default=languages.DEFAULT_VERSION,
        choices=version_languages,
    )


class Demeanour(models.TextChoices):
    CALM = "calm", pgettext_lazy("customer demeanour", "Calm")
    ANGRY = "angry", pgettext_lazy("customer demeanour", "Angry")
    INDECISIVE = "indecisive", pgettext_lazy("customer demeanour", "Indecisive")
    UNREASONABLE = "unreasonable", pgettext_lazy("customer demeanour", "Unreasonable demands")
    PASSIVE_AGGRESSIVE = (
        "passive_aggressive",
        pgettext_lazy("customer demeanour", "Passive-aggressive"),
    )
    ABUSIVE = "abusive", pgettext_lazy("customer demeanour", "Abusive")


class Category(models.Model):
    """A kind of complaint or request; admins keep the list."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = gettext_lazy("categories")

    def __str__(self) -> str:
        return self.name


class DemeanourGuidance(models.Model):
    """What staff read on a case when the customer shows this demeanour."""

    demeanour = models.CharField(max_length=24, choices=Demeanour.choices)
    # One card per demeanour and language; staff see theirs, else the default version.
    language = _language_field()
    headline = models.CharField(max_length=120)
    listen = models.TextField(gettext_lazy("How to listen"), max_length=2000)
    de_escalate = models.TextField(gettext_lazy("How to de-escalate"), max_length=2000)
    boundaries = models.TextField(gettext_lazy("Setting boundaries"), max_length=2000)
    escalate = models.TextField(
        gettext_lazy("When to involve a manager or disengage"), max_length=2000
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["demeanour", "language"]
        constraints = [
            models.UniqueConstraint(fields=["demeanour", "language"], name="guidance_per_language")
        ]
        verbose_name = gettext_lazy("demeanour guidance")
        verbose_name_plural = gettext_lazy("demeanour guidance")

    def __str__(self) -> str:
        return gettext("Guidance: %(demeanour)s") % {"demeanour": self.get_demeanour_display()}


class PolicyCategory(models.TextChoices):
    RETURNS = "returns", pgettext_lazy("policy category", "Returns")
    REFUNDS = "refunds", pgettext_lazy("policy category", "Refunds")
    FEES = "fees", pgettext_lazy("policy category", "Fees")
    SERVICE = "service", pgettext_lazy("policy category", "Service")
    OTHER = "other", pgettext_lazy("policy category", "Other")


class ExceptionKind(models.TextChoices):
    REFUND = "refund", pgettext_lazy("exception kind", "Refund")
    STORE_CREDIT = "store_credit", pgettext_lazy("exception kind", "Store credit")
    DISCOUNT = "discount", pgettext_lazy("exception kind", "Discount")
    FEE_WAIVER = "fee_waiver", pgettext_lazy("exception kind", "Fee waiver")
    REPLACEMENT = "replacement", pgettext_lazy("exception kind", "Replacement")
    EXTENSION = "extension", pgettext_lazy("exception kind", "Extension")
    OTHER = "other", pgettext_lazy("exception kind", "Other")


class Policy(models.Model):
    """A rule of the business. Its current wording lives here for reading and search; every
    edit also writes a PolicyVersion, which is what cases and requests point at."""

    code = models.SlugField(
        max_length=40, unique=True, help_text=gettext_lazy("Short code, e.g. RET-30")
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=PolicyCategory.choices)
    customer_wording = models.TextField(
        max_length=4000, help_text=gettext_lazy("What staff read out to the customer.")
    )
    internal_notes = models.TextField(
        blank=True, max_length=4000, help_text=gettext_lazy("For staff only.")
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    current_version = models.ForeignKey(
        "PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = gettext_lazy("policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="policy_effective_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("policy_detail", args=[self.code])


class PolicyVersion(models.Model):
    """An immutable snapshot of a policy and its allowed exceptions at one edit."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=PolicyCategory.choices)
    customer_wording = models.TextField()
    internal_notes = models.TextField(blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    # [{"id", "name", "kind", "max_value", "staff_limit", "manager_limit",
    #   "customer_window_days", "active"}, …]
    exceptions = models.JSONField(default=list)
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise TypeError("Policy versions are never edited; revise the policy instead.")
        super().save(*args, **kwargs)


DEFAULT_CUSTOMER_WINDOW_DAYS = 30


class AllowedException(models.Model):
    """What a policy lets the business grant, and who may grant how much of it."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="allowed_exceptions")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ExceptionKind.choices)
    max_value = models.DecimalField(max_digits=10, decimal_places=2)
    staff_limit = models.DecimalField(
        max_digits=10, decimal_places=2, help_text=gettext_lazy("Staff may grant up to this alone.")
    )
    manager_limit = models.DecimalField(
        max_digits=10, decimal_places=2, help_text=gettext_lazy("A manager may approve up to this.")
    )
    guidance = models.TextField(gettext_lazy("When it fits"), blank=True, max_length=1000)
    active = models.BooleanField(default=True)
    # Limits apply to running totals, so splitting an ask does not get round them: the
    # same case always, and the same customer over this many days (0: case only).
    customer_window_days = models.PositiveSmallIntegerField(
        gettext_lazy("Customer window (days)"),
        default=DEFAULT_CUSTOMER_WINDOW_DAYS,
        validators=[MaxValueValidator(366)],
        help_text=gettext_lazy(
            "Grants and waiting requests for the same customer within this many days "
            "count together against the limits; 0 counts only the same case."
        ),
    )

    class Meta:
        ordering = ["policy", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer_window_days__lte=366),
                name="allowed_exception_window_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(staff_limit__gte=0)
                & models.Q(staff_limit__lte=models.F("manager_limit"))
                & models.Q(manager_limit__lte=models.F("max_value"))
                & models.Q(max_value__gt=0),
                name="allowed_exception_limits_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "name": self.name,
            "kind": self.kind,
            "max_value": str(self.max_value),
            "staff_limit": str(self.staff_limit),
            "manager_limit": str(self.manager_limit),
            "customer_window_days": self.customer_window_days,
            "active": self.active,
        }


class FollowUpRule(models.Model):
    """When a case is resolved with this category and/or outcome: create a follow-up task
    and/or ask the customer for feedback, so many days later."""

    name = models.CharField(max_length=120)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=gettext_lazy("Empty: any category."),
        related_name="+",
    )
    # An Outcome value of cases.models; empty means any outcome.
    outcome = models.CharField(
        max_length=20, blank=True, help_text=gettext_lazy("Empty: any outcome.")
    )
    task_title = models.CharField(max_length=200, blank=True)
    task_kind = models.CharField(max_length=20, blank=True)
    task_due_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("Days after resolving; empty: no task.")
    )
    task_local_hour = models.PositiveSmallIntegerField(
        default=10,
        help_text=gettext_lazy("Hour of the day, in the team's time zone, the task is due."),
    )
    feedback_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Ask the customer for feedback after; empty: don't."),
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(task_local_hour__lte=23), name="rule_hour_in_day"
            ),
            models.CheckConstraint(
                condition=models.Q(task_due_days__isnull=True)
                | (~models.Q(task_title="") & ~models.Q(task_kind="")),
                name="rule_task_has_title_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MessageTemplate(models.Model):
    """Admin-editable wording of an email to customers, e.g. "what happens next"."""

    key = models.SlugField(max_length=40)
    # One per key and language; a customer gets theirs, else the default version.
    language = _language_field()
    subject = models.CharField(max_length=200)
    body = models.TextField(
        max_length=10000,
        help_text=gettext_lazy(
            # Translators: keep the {…} placeholders as they are, in English.
            "Placeholders: {customer}, {reference}, {summary}, {next_step}, {business}."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"], name="message_template_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})" if self.language else self.key


class QuickLog(models.Model):
    """One tap on the case page fills the interaction form for a common situation
    ("Refund processed at the till"); the user can still edit it before saving."""

    PLACEHOLDERS = ("customer", "policy", "agent", "reference")

    label = models.CharField(max_length=60)
    # A cases.models.Channel value (policies cannot import cases); empty: the case's own.
    channel = models.CharField(
        max_length=16, blank=True, help_text=gettext_lazy("Empty: the case's channel.")
    )
    minutes = models.PositiveSmallIntegerField(default=5)
    summary = models.TextField(
        max_length=2000,
        # Translators: keep the {…} placeholders as they are, in English.
        help_text=gettext_lazy("Placeholders: {customer}, {policy}, {agent}, {reference}."),
    )
    demeanour = models.CharField(
        max_length=24,
        choices=Demeanour.choices,
        blank=True,
        help_text=gettext_lazy("Empty: keep the demeanour the form shows."),
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "label", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__lte=1440), name="quicklog_minutes")
        ]

    def __str__(self) -> str:
        return self.label
