"""Copies of a customer's data that other apps keep as JSON: webhook deliveries (the body
posted, and the receiver's answer) and the API's stored responses for Idempotency-Key
retries. An erasure, and the retention schedule for a closed case, scrub them in the same
transaction as the rows they copied.

Scrubbed rather than deleted: a delivery still owed is posted (the event happened; only
its text goes), the delivery log keeps its times and status codes, and an Idempotency-Key
still replays instead of acting twice. A scrub keeps what the figures and an integration
need — ids, references, statuses, codes, amounts, times, the staff and team involved —
and replaces every other non-empty string, so a field added to a payload later is
scrubbed unless it is added to the list of what is kept.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from api.models import IdempotencyKey
from cases.models import Case
from webhooks.models import Delivery

REDACTED = "[erased]"
BATCH = 500

# Values kept as they are, under these keys, wherever they sit: codes, references and
# figures, never free text or contact details ("…_at" times are kept too).
KEPT = frozenset(
    {
        "type",
        "timestamp",
        "id",
        "reference",
        "url",
        "case",  # as a string: the case's reference (an object is scrubbed inside)
        "status",
        "channel",
        "preferred_channel",
        "priority",
        "demeanour",
        "outcome",
        "kind",
        "direction",
        "off_policy",
        "value",
        "currency",
        "granted_value",
        "running_total",
        "minutes",
        "rating",
        "required_level",
        "category",
        "exception_name",
        "allowed_exception",
        "policy_version",
    }
)
# Objects kept whole: the staff member or team involved, never the customer.
KEPT_WHOLE = frozenset(
    {"team", "actor", "author", "assignee", "requested_by", "decided_by", "completed_by"}
)


def scrub(value: Any, key: str = "") -> Any:
    """`value` with every string not kept replaced by the marker (empty strings stay)."""
    if isinstance(value, dict):
        return {
            k: v
            if k in KEPT_WHOLE or (k in KEPT and not isinstance(v, dict | list))
            else scrub(v, k)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(item, key) for item in value]
    if isinstance(value, str) and value and not key.endswith("_at"):
        return REDACTED
    return value


def scrub_deliveries(case_ids: Sequence[int]) -> int:
    """Scrub the webhook bodies about these cases, and the receivers' answers kept with
    them (an error may quote the body back). Returns how many rows changed."""
    changed: list[Delivery] = []
    rows = Delivery.objects.filter(case_id__in=case_ids).only("pk", "body", "last_error")
    for delivery in rows.iterator(chunk_size=BATCH):
        body = json.dumps(
            scrub(json.loads(delivery.body)),
            cls=DjangoJSONEncoder,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        error = REDACTED if delivery.last_error else ""
        if (body, error) != (delivery.body, delivery.last_error):
            delivery.body, delivery.last_error = body, error
            changed.append(delivery)
    Delivery.objects.bulk_update(changed, ["body", "last_error"], batch_size=BATCH)
    return len(changed)


def _idempotency_rows(case_ids: Sequence[int], customer_ids: Sequence[int]) -> Any:
    """Stored responses that show one of these cases (its page, or something on it:
    an interaction, a task, a request) or one of these customers (their record)."""
    refs = [Case(pk=pk).reference for pk in case_ids]
    about = Q(pk__in=[])
    if refs:
        about |= Q(response_body__reference__in=refs) | Q(response_body__case__in=refs)
    if customer_ids:
        about |= Q(response_body__customer__id__in=list(customer_ids))
        # A customer's own record: the only response with a preferred channel.
        about |= Q(response_body__has_key="preferred_channel") & Q(
            response_body__id__in=list(customer_ids)
        )
    return IdempotencyKey.objects.filter(response_body__isnull=False).filter(about)


def scrub_idempotency(case_ids: Sequence[int], customer_ids: Sequence[int] = ()) -> int:
    """Scrub the API's stored responses about these cases and customers (the table holds
    only CASEDESK_IDEMPOTENCY_HOURS of writes, so the search scans little)."""
    changed: list[IdempotencyKey] = []
    for row in _idempotency_rows(case_ids, customer_ids).only("pk", "response_body"):
        scrubbed = scrub(row.response_body)
        if scrubbed != row.response_body:
            row.response_body = scrubbed
            changed.append(row)
    IdempotencyKey.objects.bulk_update(changed, ["response_body"], batch_size=BATCH)
    return len(changed)


def webhook_disclosures(case_ids: Sequence[int]) -> list[dict[str, Any]]:
    """For the export: which receiving systems were sent events about these cases, and
    when (the bodies themselves copy what the export's other sections hold)."""
    rows = (
        Delivery.objects.filter(case_id__in=case_ids)
        .select_related("endpoint")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": d.pk,
            "case": Case(pk=d.case_id).reference,
            "event_type": d.event_type,
            "sent_to": d.endpoint.url,
            "state": d.state,
            "created_at": d.created_at,
            "sent_at": d.sent_at,
        }
        for d in rows
    ]
