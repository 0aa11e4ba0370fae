"""Every write to endpoints and deliveries from a person goes through here (admins only).

The sweep's own writes (claim, record, disable) live in webhooks/delivery.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Role, User

from . import signing
from .emit import forget_subscribers
from .models import Delivery, DeliveryState, Endpoint, EventType


class WebhookError(Exception):
    """A rule refused the change; the message is fit to show the admin."""


def _require_admin(by: User) -> None:
    if not (by.is_active and by.role == Role.ADMIN):
        raise WebhookError(_("Only admins manage webhooks."))


def _clean_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = set(chosen) - set(EventType.values)
    if unknown:
        raise WebhookError(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        )
    if not chosen:
        raise WebhookError(_("Choose at least one event type."))
    return chosen


@transaction.atomic
def register_endpoint(
    *, by: User, url: str, event_types: Iterable[str], description: str = "", active: bool = True
) -> tuple[Endpoint, str]:
    """Subscribe a URL to event types; returns the endpoint and its secret, which is
    shown to the admin this once."""
    _require_admin(by)
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        url=url.strip(),
        description=description.strip(),
        event_types=_clean_types(event_types),
        active=active,
        secret=secret,
        created_by=by,
    )
    forget_subscribers()
    return endpoint, secret


@transaction.atomic
def update_endpoint(
    endpoint: Endpoint,
    *,
    by: User,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    active: bool,
) -> Endpoint:
    """Change an endpoint's URL, types or switch. Switching a disabled one back on clears
    its failure record: it starts afresh."""
    _require_admin(by)
    fields: dict[str, object] = {
        "url": url.strip(),
        "description": description.strip(),
        "event_types": _clean_types(event_types),
        "active": active,
        "updated_at": timezone.now(),
    }
    if active:
        fields.update(failing_since=None, disabled_at=None, disabled_reason="")
    Endpoint.objects.filter(pk=endpoint.pk).update(**fields)
    endpoint.refresh_from_db()
    forget_subscribers()
    return endpoint


@transaction.atomic
def rotate_secret(endpoint: Endpoint, *, by: User) -> str:
    """A new secret, returned to show once. The old one keeps signing beside it for
    CASEDESK_WEBHOOK_ROTATION_GRACE_HOURS, so the receiver can switch without a gap."""
    _require_admin(by)
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.new_secret()
    grace = timedelta(hours=settings.CASEDESK_WEBHOOK_ROTATION_GRACE_HOURS)
    Endpoint.objects.filter(pk=locked.pk).update(
        secret=secret,
        previous_secret=locked.secret,
        previous_secret_expires_at=timezone.now() + grace,
        updated_at=timezone.now(),
    )
    endpoint.refresh_from_db()
    return secret


def send_again(delivery: Delivery, *, by: User) -> Delivery:
    """Queue a sent or failed delivery once more, with the same id and body, and a fresh
    count of tries. A conditional update: a delivery already queued or being posted is
    left alone."""
    _require_admin(by)
    if not Endpoint.objects.filter(pk=delivery.endpoint_id, active=True).exists():
        raise WebhookError(_("Switch the endpoint on first."))
    changed = Delivery.objects.filter(
        pk=delivery.pk, state__in=[DeliveryState.SENT, DeliveryState.FAILED]
    ).update(
        state=DeliveryState.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        sent_at=None,
        claimed_at=None,
    )
    if changed != 1:
        raise WebhookError(_("This delivery is already waiting to be sent."))
    delivery.refresh_from_db()
    _kick_after_commit()
    return delivery


def send_failed_again(endpoint: Endpoint, *, by: User) -> int:
    """Queue every failed delivery of the endpoint once more (after switching it back on);
    returns how many."""
    _require_admin(by)
    if not Endpoint.objects.filter(pk=endpoint.pk, active=True).exists():
        raise WebhookError(_("Switch the endpoint on first."))
    count = Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if count:
        _kick_after_commit()
    return count


def _kick_after_commit() -> None:
    from .emit import kick_sweep

    kick_sweep()
