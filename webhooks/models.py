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


class EventType(models.TextChoices):
    CASE_CREATED = "case.created", "A case was opened"
    CASE_ASSIGNED = "case.assigned", "A case was reassigned"
    CASE_RESOLVED = "case.resolved", "A case was resolved"
    CASE_REOPENED = "case.reopened", "A case was reopened"
    INTERACTION_LOGGED = "interaction.logged", "An interaction was logged"
    EXCEPTION_REQUESTED = "exception.requested", "An exception was requested"
    EXCEPTION_DECIDED = "exception.decided", "An exception request was decided"
    TASK_CREATED = "task.created", "A follow-up task was added"
    TASK_OVERDUE = "task.overdue", "A follow-up task is overdue"
    TASK_COMPLETED = "task.completed", "A follow-up task was completed"
    FEEDBACK_RECEIVED = "feedback.received", "A customer rated the service"


class Endpoint(models.Model):
    """A URL that receives signed events of the types it subscribed to."""

    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    # Standard Webhooks secret ("whsec_" + base64). Needed in clear to sign; shown once.
    secret = models.CharField(max_length=80)
    # After a rotation the old secret still signs (beside the new one) until this time.
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # First failed attempt since the last success; disabled when it is old enough.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event owed to one endpoint: pending → sending → sent | failed."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    # "msg_…", the webhook-id header: the receiver's key for recognising a repeat.
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    # The exact JSON text posted, fixed at creation: a retry or "send again" posts it as is.
    body = models.TextField()
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # The claim's token: only the sweep that claimed at this time may record the outcome.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
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
