"""Customers: contact details kept normalised for matching, flags, and who may see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from casedesk import languages

from ..phones import normalise_phone, reversed_digits
from .cases import Case, Channel
from .people import Role, Team, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class CustomerFlag(models.TextChoices):
    DISENGAGE = "disengage", gettext_lazy("Abusive: disengage")
    TWO_STAFF = "two_staff", gettext_lazy("Two staff present")
    FREQUENT_RETURNER = "frequent_returner", gettext_lazy("Frequent returner")
    WRITTEN_ONLY = "written_only", gettext_lazy("Wants everything in writing")
    VIP = "vip", gettext_lazy("Valued customer")


# Setting a flag says something about a person: who set it and why is kept beside it.
FLAG_REASON_NEEDED = gettext_lazy(
    "Say why you are setting this flag: staff see it beside the flag."
)

# Flags that change how staff must behave are shown in red; the rest in amber/blue.
DANGER_FLAGS = {CustomerFlag.DISENGAGE, CustomerFlag.TWO_STAFF}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def surname_key(name: str) -> str:
    """The last word of a name of two or more words, upper-cased ("" for one word)."""
    words = name.split()
    return words[-1].upper() if len(words) > 1 else ""


class CustomerQuerySet(models.QuerySet["Customer"]):
    def visible_to(self, user: User | AnonymousUser) -> CustomerQuerySet:
        """Customers of the user's teams: registered by one, or with a case in one."""
        if not user.is_authenticated:
            return self.none()
        conditions = self._visibility(user)
        if conditions is None:
            return self
        registered, with_case = conditions
        return self.filter(registered | with_case)

    def visible_to_in_parts(self, user: User | AnonymousUser) -> list[CustomerQuerySet]:
        """The customers of visible_to as querysets whose union it is: those registered by
        one of the user's teams, and those with a case in one (all, for an admin).

        For a query that reads an index in order and stops at a LIMIT (search as you
        type): with the two joined by OR, PostgreSQL can only test "has a case in my
        teams" as a hashed subplan, which reads every case of the teams (50,000 at 1M
        cases) before the first row; alone, it is a nested-loop semi-join that probes
        case_customer_team_idx for the few customers read before the limit.
        """
        if not user.is_authenticated:
            return [self.none()]
        conditions = self._visibility(user)
        if conditions is None:
            return [self]
        return [self.filter(condition) for condition in conditions]

    @staticmethod
    def _visibility(user: User) -> tuple[Q, Q] | None:
        """(registered by my teams, has a case in my teams); None: everyone (an admin).
        Both methods above are built from this, so the two can never disagree."""
        if user.role == Role.ADMIN:
            return None
        team_ids = user.team_ids()
        has_case = Case.objects.filter(customer=OuterRef("pk"), team_id__in=team_ids)
        return Q(team_id__in=team_ids), Q(Exists(has_case))


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)  # as typed, for display
    email_normalised = models.CharField(max_length=254, blank=True, editable=False)
    # E.164 ("+447700900105"): every way of typing one number is this one string.
    phone_normalised = models.CharField(max_length=40, blank=True, editable=False)
    # Its digits last first: a search for the last digits is a prefix search here.
    phone_reversed = models.CharField(max_length=40, blank=True, editable=False)
    # The name's last word, upper-cased: "Ose" finds Grace Osei as she is typed.
    surname_key = models.CharField(max_length=200, blank=True, editable=False)
    preferred_channel = models.CharField(
        max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    # Their emails and their feedback page are in this language.
    preferred_language = models.CharField(
        gettext_lazy("Language"),
        max_length=16,
        choices=languages.choices,
        default=languages.customer_default,
        help_text=gettext_lazy("Emails to the customer and their feedback page use it."),
    )
    preferences = models.TextField(
        gettext_lazy("Notes on preferences"), blank=True, max_length=2000
    )
    flags = models.JSONField(default=list, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=gettext_lazy("Registered by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once by the privacy app's erasure, in the same conditional update that replaces
    # the profile: an erased customer is final (no edit, no new case), and cases' services
    # can say so without reading another app's tables.
    erased_at = models.DateTimeField(
        gettext_lazy("Personal data erased"), null=True, blank=True, editable=False
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Duplicate warnings and search by email or phone: equality and, with the
            # pattern operator class, prefixes as they are typed (LIKE 'x%' on PostgreSQL
            # whatever the database's collation; SQLite ignores the operator class).
            models.Index(
                fields=["email_normalised"],
                name="customer_email_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["phone_normalised"],
                name="customer_phone_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["phone_reversed"],
                name="customer_phone_suffix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["team", "name"], name="customer_team_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email_normalised = normalise_email(self.email)
        self.phone_normalised = normalise_phone(self.phone)
        self.phone_reversed = reversed_digits(self.phone_normalised)
        self.surname_key = surname_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("customer_detail", args=[self.pk])

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def flag_labels(self) -> list[tuple[str, str, bool]]:
        """(code, label, is_danger) for each flag, in a stable order."""
        return flag_labels(self.flags)


class CustomerFlagNote(models.Model):
    """Who set one flag on a customer, when and why; and, once it is taken off, who took
    it off, when and why. A flag the customer has now has one open note (none when it was
    set before CaseDesk recorded this: the profile and the export say so). Written only by
    cases/services/customers.py; the reasons are redacted when the customer is erased."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="flag_notes")
    flag = models.CharField(max_length=32, choices=CustomerFlag.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()
    reason = models.TextField(max_length=2000)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # empty with a time: cleared when the retention schedule erased the customer
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["set_at", "id"]
        verbose_name = gettext_lazy("flag note")
        verbose_name_plural = gettext_lazy("flag notes")
        constraints = [
            # The last word on "one open note per flag", behind the service's row lock.
            models.UniqueConstraint(
                fields=["customer", "flag"],
                condition=Q(cleared_at__isnull=True),
                name="flag_note_one_open_per_flag",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=False)
                | Q(cleared_by__isnull=True, cleared_reason=""),
                name="flag_note_cleared_fields_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_flag_display()} on customer {self.customer_id}"


def flag_labels(flags: list[str]) -> list[tuple[str, str, bool]]:
    """(code, label, is_danger) for each of these flags, in a stable order."""
    if not flags:
        return []  # most customers: on every row of every case list
    return [
        (code, str(label), code in DANGER_FLAGS)
        for code, label in CustomerFlag.choices
        if code in flags
    ]
