"""Webhook endpoints that other systems register, and the deliveries owed to them.

A Delivery is an outbox row written in the same transaction as the change it reports;
the sweep claims it, posts it outside any transaction and records the outcome on it, as
the reminder sweep does for emails. Its body is fixed when the row is written, so every
copy of one event carries the same id and the same bytes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventType(models.TextChoices):
    CASE_CREATED = "case.created", _("A case was opened")
    CASE_ASSIGNED = "case.assigned", _("A case was reassigned")
    CASE_RESOLVED = "case.resolved", _("A case was resolved")
    CASE_REOPENED = "case.reopened", _("A case was reopened")
    INTERACTION_LOGGED = "interaction.logged", _("An interaction was logged")
    EXCEPTION_REQUESTED = "exception.requested", _("An exception was requested")
    EXCEPTION_DECIDED = "exception.decided", _("An exception request was decided")
    TASK_CREATED = "task.created", _("A follow-up task was added")
    TASK_OVERDUE = "task.overdue", _("A follow-up task is overdue")
    TASK_COMPLETED = "task.completed", _("A follow-up task was completed")
    FEEDBACK_RECEIVED = "feedback.received", _("A customer rated the service")


class Endpoint(models.Model):
    """A URL that receives signed events of the types it subscribed to."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    # Standard Webhooks secret ("whsec_" + base64). Needed in clear to sign; shown once.
    secret = models.CharField(_("signing secret"), max_length=80)
    # After a rotation the old secret still signs (beside the new one) until this time.
    previous_secret = models.CharField(_("previous signing secret"), max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret signs until"), null=True, blank=True
    )
    # First failed attempt since the last success; disabled when it is old enough.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["url", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(secret__startswith="whsec_"), name="endpoint_secret_format"
            ),
            models.CheckConstraint(
                condition=(Q(previous_secret="") & Q(previous_secret_expires_at__isnull=True))
                | (
                    Q(previous_secret__startswith="whsec_")
                    & Q(previous_secret_expires_at__isnull=False)
                ),
                name="endpoint_previous_secret_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(disabled_reason="") | Q(active=False, disabled_at__isnull=False),
                name="endpoint_disabled_is_inactive",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery state", "Pending")
    SENDING = "sending", pgettext_lazy("webhook delivery state", "Sending")
    SENT = "sent", pgettext_lazy("webhook delivery state", "Sent")
    FAILED = "failed", pgettext_lazy("webhook delivery state", "Failed")


class Delivery(models.Model):
    """One event owed to one endpoint: pending → sending → sent | failed."""

    endpoint = models.ForeignKey(
        Endpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    # "msg_…", the webhook-id header: the receiver's key for recognising a repeat.
    event_id = models.CharField(_("event id"), max_length=64)
    event_type = models.CharField(_("event type"), max_length=32, choices=EventType.choices)
    # The case the event is about: how an erasure, or the retention schedule, finds the
    # bodies that copied its customer's data. No foreign-key check (cases are never
    # deleted), so writing a delivery locks nothing more than the change it reports.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    # The exact JSON text posted, fixed at creation: a retry or "send again" posts it as is.
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next try at"))
    # The claim's token: only the sweep that claimed at this time may record the outcome.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # The sweep: the oldest due pending rows. Partial, so sent rows never weigh on it.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="delivery_due_idx",
            ),
            # Recovery: rows a dead sender left "sending".
            models.Index(
                fields=["claimed_at"], condition=Q(state="sending"), name="delivery_claimed_idx"
            ),
            # What an endpoint still owes or could not send, counted on the endpoint list;
            # partial, so it holds only those few rows.
            models.Index(
                fields=["endpoint", "state"],
                condition=Q(state__in=["pending", "sending", "failed"]),
                name="delivery_open_idx",
            ),
            # The delivery log: an endpoint's rows, newest first.
            models.Index(fields=["endpoint", "-id"], name="delivery_log_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(event_id__startswith="msg_"), name="delivery_event_id_format"
            ),
            models.CheckConstraint(
                condition=~Q(state="sending") | Q(claimed_at__isnull=False),
                name="delivery_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent")
                | Q(sent_at__isnull=False, last_response_code__gte=200, last_response_code__lt=300),
                name="delivery_sent_has_time_and_2xx",
            ),
            models.CheckConstraint(
                condition=Q(state="sent") | Q(sent_at__isnull=True),
                name="delivery_only_sent_has_sent_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"
