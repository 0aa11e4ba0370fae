"""The webhook sweep: claim a small batch of due deliveries, post each outside any
transaction, record each right after its post — the reminder sweep's pattern, through the
claim helpers both sweeps share (casedesk/outbox.py).

- Claim: `pending → sending` by conditional update (FOR UPDATE SKIP LOCKED on PostgreSQL),
  the claim time being the claim's token for every later write of the row.
- Post: signed as Standard Webhooks says, with the body stored on the row, to a checked
  address (webhooks/transport.py), with a timeout, following no redirect.
- Record: sent on a 2xx; back to pending with a backoff on a network error, a timeout, a
  5xx or a 429 (its Retry-After honoured); failed on anything else or after the last try.
  One row at a time, right after its post, so a sweep killed mid-batch leaves at most the
  row in flight to be posted again (same id, same body) after the claim timeout.
- Endpoint health: the first failure since the last success starts the endpoint's
  `failing_since`; a success clears it; failing for CASEDESK_WEBHOOK_DISABLE_AFTER_MINUTES
  disables the endpoint, and admins see it on their home page.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casedesk import outbox

from . import signing, transport
from .emit import forget_subscribers
from .models import Delivery, DeliveryState, Endpoint

logger = logging.getLogger(__name__)

# Rows per claim, as for reminders: a dead sender strands only a few until the claim
# timeout, and one statement claims them all.
BATCH_SIZE = 25
MAX_DELAY = timedelta(days=1)


def backoff(attempts: int) -> timedelta:
    """1×, 2×, 4×, … the base delay after each failed try, capped at a day."""
    seconds = settings.CASEDESK_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def retry_after(value: str, *, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds, or an HTTP date) as a delay; None if unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return min(timedelta(seconds=int(value[:9])), MAX_DELAY)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when - now, timedelta(0)), MAX_DELAY)


def claim_batch(
    *, now: datetime, size: int = BATCH_SIZE, endpoint_id: int | None = None
) -> list[Delivery]:
    """Take up to `size` of the oldest due pending deliveries, loaded with their endpoint."""
    scope = {"endpoint_id": endpoint_id} if endpoint_id is not None else None
    ids = outbox.claim_ids(Delivery, now=now, size=size, due_field="next_attempt_at", scope=scope)
    if not ids:
        return []
    rows = Delivery.objects.select_related("endpoint").filter(pk__in=ids)
    return list(rows.order_by("next_attempt_at", "id"))


def recover_stale(*, now: datetime, endpoint_id: int | None = None) -> int:
    """Rows a dead sender left `sending` go back to pending (the at-least-once step)."""
    cutoff = now - timedelta(seconds=settings.CASEDESK_WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    stale = Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=cutoff)
    if endpoint_id is not None:
        stale = stale.filter(endpoint_id=endpoint_id)
    return stale.update(state=DeliveryState.PENDING)


@dataclass
class Attempt:
    """What one post came to."""

    state: str
    code: int | None = None
    duration_ms: int | None = None
    error: str = ""
    delay: timedelta | None = None  # when to try again (pending only)
    endpoint_failed: bool = True


def _signature_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation grace lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > now:
        found.append(endpoint.previous_secret)
    return found


def _retry_or_fail(delivery: Delivery, attempt: Attempt) -> Attempt:
    """Pending again after a backoff, or failed when that was the last try."""
    if delivery.attempts >= settings.CASEDESK_WEBHOOK_MAX_ATTEMPTS:
        attempt.state = DeliveryState.FAILED
        attempt.error = f"{attempt.error} (gave up after {delivery.attempts} tries)"
    else:
        attempt.state = DeliveryState.PENDING
        attempt.delay = attempt.delay or backoff(delivery.attempts)
    return attempt


def post_once(
    delivery: Delivery, *, now: datetime, session: transport.Session | None = None
) -> Attempt:
    """Post a claimed delivery once and classify the outcome (nothing recorded here)."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        return Attempt(
            DeliveryState.FAILED, error="The endpoint is disabled.", endpoint_failed=False
        )
    headers = signing.headers(
        secrets_=_signature_secrets(endpoint, now),
        msg_id=delivery.event_id,
        timestamp=int(time.time()),
        body=delivery.body,
    )
    started = time.monotonic()
    poster = session.post if session is not None else transport.post
    try:
        response = poster(
            endpoint.url,
            body=delivery.body,
            headers=headers,
            timeout=settings.CASEDESK_WEBHOOK_TIMEOUT_SECONDS,
        )
    except transport.Refused as why:
        return Attempt(DeliveryState.FAILED, error=f"Refused: {why}"[:500])
    except (OSError, http.client.HTTPException) as error:
        took = int((time.monotonic() - started) * 1000)
        message = f"{type(error).__name__}: {error}"[:400]
        return _retry_or_fail(delivery, Attempt("", duration_ms=took, error=message))
    except Exception as error:  # never let one row stop the sweep: record it, try later
        logger.exception("webhook.error", extra=_ids(delivery))
        message = f"{type(error).__name__}: {error}"[:400]
        return _retry_or_fail(delivery, Attempt("", error=message))
    code, took = response.status, response.duration_ms
    if 200 <= code < 300:
        return Attempt(DeliveryState.SENT, code=code, duration_ms=took, endpoint_failed=False)
    answer = f"HTTP {code}: {response.text.strip()[:200]}"
    if code == 429 or code >= 500:
        delay = retry_after(response.retry_after, now=now)
        attempt = Attempt("", code=code, duration_ms=took, error=answer, delay=delay)
        return _retry_or_fail(delivery, attempt)
    if 300 <= code < 400:
        answer = f"HTTP {code}: redirects are not followed."
    return Attempt(
        DeliveryState.FAILED, code=code, duration_ms=took, error=f"{answer} (not retried)"
    )


def _record(delivery: Delivery, attempt: Attempt, *, now: datetime) -> bool:
    fields: dict[str, object] = {
        "state": attempt.state,
        "last_response_code": attempt.code,
        "last_duration_ms": attempt.duration_ms,
        "last_error": attempt.error[:500],
    }
    if attempt.state == DeliveryState.SENT:
        fields["sent_at"] = now
    if attempt.state == DeliveryState.PENDING:
        fields["next_attempt_at"] = now + (attempt.delay or timedelta(0))
    recorded = outbox.record(Delivery, delivery.pk, claimed_at=delivery.claimed_at, **fields)
    if not recorded:
        logger.info("webhook.superseded", extra=_ids(delivery))  # requeued meanwhile
    return recorded


def _note_health(endpoint: Endpoint, attempt: Attempt, *, now: datetime) -> None:
    """Track how long the endpoint has been failing; disable it when that is too long."""
    if not attempt.endpoint_failed:
        if endpoint.failing_since is not None and attempt.state == DeliveryState.SENT:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            endpoint.failing_since = None
        return
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        endpoint.failing_since = (
            Endpoint.objects.filter(pk=endpoint.pk).values_list("failing_since", flat=True).first()
        )
    limit = timedelta(minutes=settings.CASEDESK_WEBHOOK_DISABLE_AFTER_MINUTES)
    if endpoint.failing_since is not None and now - endpoint.failing_since >= limit:
        disable_failing(endpoint, now=now, cutoff=now - limit)


def disable_failing(endpoint: Endpoint, *, now: datetime, cutoff: datetime) -> bool:
    """Switch off an endpoint that has failed continuously since before `cutoff`. A
    conditional update on what the database holds (this batch's copy may be stale: another
    sweep's success may have cleared the failure meanwhile), so it happens once, and only
    when still true. Its admins see it on their home page."""
    since = timezone.localtime(endpoint.failing_since) if endpoint.failing_since else None
    with translation.override(settings.LANGUAGE_CODE):  # kept on the endpoint
        reason = (
            _("Every delivery failed since %(since)s") % {"since": f"{since:%Y-%m-%d %H:%M}"}
            if since
            else _("Every delivery failed")
        )
    changed = Endpoint.objects.filter(
        pk=endpoint.pk, active=True, failing_since__lte=cutoff
    ).update(active=False, disabled_at=now, disabled_reason=reason[:300])
    if changed:
        endpoint.active = False
        logger.error("webhook.endpoint_disabled", extra={"endpoint_id": endpoint.pk, "why": reason})
        forget_subscribers()
    return bool(changed)


@dataclass
class BatchState:
    """Shared by the rows of one batch: one endpoint object per endpoint (so a disable or
    a failure seen on one row applies to the next), and the endpoints held back."""

    endpoints: dict[int, Endpoint] = field(default_factory=dict)
    held_back: set[int] = field(default_factory=set)
    session: transport.Session = field(default_factory=transport.Session)

    def endpoint_of(self, delivery: Delivery) -> Endpoint:
        return self.endpoints.setdefault(delivery.endpoint_id, delivery.endpoint)


def _ids(delivery: Delivery) -> dict[str, object]:
    """What every log line about a delivery carries, to find it and its endpoint."""
    return {
        "delivery_id": delivery.pk,
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "type": delivery.event_type,
        "attempt": delivery.attempts,
    }


_LEVELS: dict[str, int] = {
    DeliveryState.SENT: logging.INFO,
    DeliveryState.PENDING: logging.WARNING,
}


def deliver(delivery: Delivery, *, state: BatchState | None = None) -> str:
    """Post one claimed delivery and record it; returns the state it ends in."""
    state = state or BatchState()
    delivery.endpoint = state.endpoint_of(delivery)
    now = timezone.now()
    attempt = post_once(delivery, now=now, session=state.session)
    now = timezone.now()
    # Recorded before the next row is posted: a kill between the two costs one repeat.
    _record(delivery, attempt, now=now)
    _note_health(delivery.endpoint, attempt, now=now)
    event = {"sent": "webhook.sent", "pending": "webhook.retry"}.get(
        attempt.state, "webhook.failed"
    )
    facts = {**_ids(delivery), "code": attempt.code, "ms": attempt.duration_ms}
    if attempt.error:
        facts["error"] = attempt.error
    logger.log(_LEVELS.get(attempt.state, logging.ERROR), event, extra=facts)
    if attempt.state == DeliveryState.PENDING:
        state.held_back.add(delivery.endpoint_id)
    return attempt.state


def send_batch(batch: Sequence[Delivery]) -> int:
    """Deliver a claimed batch in order; returns how many rows it took. After a failed try
    to an endpoint, its other rows in the batch go back unsent for a base backoff, so one
    endpoint that hangs or fails does not hold up the others."""
    if not batch:
        return 0
    claimed_at = batch[0].claimed_at or timezone.now()
    # Stop starting posts well before the claim timeout: a post still under way then could
    # be recovered and posted again by another sweep.
    hold = max(
        settings.CASEDESK_WEBHOOK_CLAIM_TIMEOUT_SECONDS / 2
        - settings.CASEDESK_WEBHOOK_TIMEOUT_SECONDS,
        0.0,
    )
    state = BatchState()
    deferred: list[Delivery] = []
    try:
        for index, delivery in enumerate(batch):
            if index and (timezone.now() - claimed_at).total_seconds() > hold:
                outbox.release(Delivery, batch[index:])
                break
            if delivery.endpoint_id in state.held_back:
                deferred.append(delivery)
                continue
            try:
                deliver(delivery, state=state)
            except Exception:
                # The rows after this one were never posted: give them back now.
                outbox.release(Delivery, [*deferred, *batch[index + 1 :]])
                raise
    finally:
        state.session.close()
    later = timezone.now() + backoff(1)
    outbox.release(Delivery, deferred, next_attempt_at=later)
    return len(batch)


def send_due_webhooks(
    *, limit: int = 500, seconds: float = 50.0, endpoint_id: int | None = None
) -> int:
    """Post what is due, a batch at a time, until none is due, `limit` rows or `seconds`
    have passed; returns how many rows were taken. Safe to run many at once.
    `endpoint_id` keeps to one endpoint's rows (the drain benchmark's)."""
    started = timezone.now()
    handled = 0
    # A webhook may arrive twice anyway (same id, same body): not worth a disk wait per row.
    with outbox.relaxed_commits():
        recover_stale(now=started, endpoint_id=endpoint_id)
        while handled < limit and (timezone.now() - started).total_seconds() < seconds:
            size = min(BATCH_SIZE, limit - handled)
            batch = claim_batch(now=timezone.now(), size=size, endpoint_id=endpoint_id)
            if not batch:
                break
            handled += send_batch(batch)
    return handled
