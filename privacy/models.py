"""What the privacy app keeps: who looked, exports, erasures, retention settings and progress.

Nothing here holds a customer's personal data except the access log's address (of the
staff member who looked) and the export files themselves, which are deleted once
downloaded or expired. Customers are referenced by id only: an erased customer's row
stays (anonymised), so the ids keep pointing at it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cases.models import Customer


class AppendOnly(models.Model):
    """A row written once and never changed (the Django admin shows it read-only too)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)


class ObjectType(models.TextChoices):
    CUSTOMER = "customer", _("Customer profile")
    CASE = "case", _("Case")
    EXPORT = "export", _("Subject-access export")


class AccessLogEntry(AppendOnly):
    """Someone opened a customer's profile, one of their cases, or an export of their data.

    One INSERT per page view, with no foreign-key check on the customer (customers are
    never deleted, only anonymised) so the page's customer row is not locked by it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    object_type = models.CharField(_("opened"), max_length=12, choices=ObjectType.choices)
    object_id = models.BigIntegerField(_("id of what was opened"))
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,  # access_customer_idx leads with it
        verbose_name=_("customer"),
    )
    at = models.DateTimeField(_("when"))
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            # The per-customer page and the export: a customer's entries, newest first.
            models.Index(fields=["customer", "-at", "-id"], name="access_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.object_type} {self.object_id} at {self.at:%Y-%m-%d}"


class PrivacyEventKind(models.TextChoices):
    EXPORT_REQUESTED = "export_requested", _("Subject-access export requested")
    EXPORT_DOWNLOADED = "export_downloaded", _("Subject-access export downloaded")
    ERASED = "erased", _("Personal data erased")
    RETENTION_ERASED = "retention_erased", _("Erased by the retention schedule")


class PrivacyEvent(AppendOnly):
    """The customer's data-protection timeline (customers have no timeline of their own:
    case events belong to cases). Who did what, when — never what was erased."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # privacy_event_customer_idx leads with it
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=PrivacyEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("privacy event")
        verbose_name_plural = _("privacy events")
        indexes = [
            models.Index(fields=["customer", "-at"], name="privacy_event_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for customer {self.customer_id}"


class Erasure(AppendOnly):
    """A customer was erased: who, when and why. One per customer (the constraint is the
    last word on "erased once", behind the service's lock and conditional update)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )  # empty: the retention schedule
    erased_at = models.DateTimeField(_("erased at"))
    reason = models.TextField(_("reason"))
    # An admin may erase despite an open case or a pending request, saying why.
    override_reason = models.TextField(_("why it could not wait"), blank=True)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="erasure_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Customer {self.customer_id} erased at {self.erased_at:%Y-%m-%d %H:%M}"


class CaseAnonymisation(AppendOnly):
    """A case's free text was redacted (by an erasure or the retention schedule). One per
    case: the retention sweep skips cases that have one, so it never does a case twice."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    anonymised_at = models.DateTimeField()
    by_retention = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Case {self.case_id} anonymised at {self.anonymised_at:%Y-%m-%d}"


class ExportState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export state", "Queued")
    BUILDING = "building", pgettext_lazy("export state", "Being built")
    READY = "ready", pgettext_lazy("export state", "Ready to download")
    DOWNLOADED = "downloaded", pgettext_lazy("export state", "Downloaded")
    EXPIRED = "expired", pgettext_lazy("export state", "Expired")
    FAILED = "failed", pgettext_lazy("export state", "Failed")


class SubjectAccessExport(models.Model):
    """A ZIP of everything held about one customer, for the person who asked, once."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # export_customer_idx leads with it
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    # The file's name in the export storage: random, never derived from the customer.
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-requested_at"], name="export_customer_idx"),
            # The sweep: queued or stuck exports, and files to delete.
            models.Index(fields=["state", "requested_at"], name="export_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="ready") | (Q(expires_at__isnull=False) & ~Q(file_name="")),
                name="export_ready_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(state="downloaded") | Q(downloaded_at__isnull=False),
                name="export_downloaded_has_time",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of customer {self.customer_id} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state in {ExportState.QUEUED, ExportState.BUILDING}


YEARS = [MinValueValidator(1), MaxValueValidator(100)]


def _years(count: int) -> str:
    return ngettext("%(count)d year", "%(count)d years", count) % {"count": count}


class RetentionSettings(models.Model):
    """How long personal data is kept: one row, edited by admins in the Django admin.

    A row rather than environment settings: retention is the business's decision, changed
    by an admin in the browser without a deploy, and the change is visible to everyone.
    """

    enabled = models.BooleanField(
        _("enabled"),
        default=True,
        help_text=_("Anonymise what is past these periods, in the background."),
    )
    closed_case_years = models.PositiveSmallIntegerField(
        _("closed case years"),
        default=6,
        validators=YEARS,
        help_text=_("A closed case's personal data is anonymised this many years after it closed."),
    )
    inactive_customer_years = models.PositiveSmallIntegerField(
        _("inactive customer years"),
        default=3,
        validators=YEARS,
        help_text=_("A customer with no case activity for this many years is erased."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("retention settings")
        verbose_name_plural = _("retention settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="retention_settings_singleton"),
        ]

    def __str__(self) -> str:
        # The admin's name for the one row. Two counts, so two sentences' worth of plural
        # forms joined by the translation, never by code.
        return gettext("Closed cases %(cases)s, inactive customers %(customers)s") % {
            "cases": _years(self.closed_case_years),
            "customers": _years(self.inactive_customer_years),
        }


class RetentionPhase(models.TextChoices):
    IDLE = "idle", _("Waiting for the next pass")
    CASES = "cases", _("Closed cases")
    CUSTOMERS = "customers", _("Inactive customers")


class RetentionProgress(models.Model):
    """Where the retention sweep is and what it has done. One row, written only by the
    sweep, locked and saved in the same transaction as each batch: a killed sweep resumes
    after the last committed batch, and two sweeps at once take turns."""

    phase = models.CharField(
        _("phase"), max_length=10, choices=RetentionPhase.choices, default=RetentionPhase.IDLE
    )
    # The last id the current phase looked at.
    cursor = models.BigIntegerField(_("cursor"), default=0)
    pass_started_at = models.DateTimeField(_("pass started at"), null=True, blank=True)
    # A full pass completed.
    last_pass_at = models.DateTimeField(_("last complete pass"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    batches = models.PositiveBigIntegerField(_("batches"), default=0)
    cases_anonymised = models.PositiveBigIntegerField(_("cases anonymised"), default=0)
    customers_erased = models.PositiveBigIntegerField(_("customers erased"), default=0)

    class Meta:
        verbose_name = _("retention progress")
        verbose_name_plural = _("retention progress")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="retention_progress_singleton"),
        ]

    def __str__(self) -> str:
        return f"Retention: {self.cases_anonymised} cases, {self.customers_erased} customers"
