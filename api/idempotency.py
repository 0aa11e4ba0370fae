"""`Idempotency-Key` on writes: a retried POST from a till never acts twice.

The key's row is inserted in the same transaction as the write. A concurrent request with
the same key blocks on the unique index until the first one commits, then finds its
stored response and replays it; if the first failed (any 4xx or an exception) its
transaction rolled back with the row, so nothing is stored and a retry runs afresh.
The same key with a different method, path or body is a 422. Keys live for
CASEDESK_IDEMPOTENCY_HOURS: an older row is treated as absent and purged hourly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import Conflict, Unprocessable
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY = 255


class _Failed(Exception):
    """Carries an error response out of the transaction so that it rolls back."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _lifetime() -> timedelta:
    return timedelta(hours=settings.CASEDESK_IDEMPOTENCY_HOURS)


def fingerprint(request: Request) -> str:
    """The same JSON with keys in another order or other spacing is the same body."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _replay(row: IdempotencyKey, print_: str) -> Response:
    if row.fingerprint != print_:
        raise Unprocessable(
            _("This Idempotency-Key was used with a different request; use a new key.")
        )
    if row.status_code is None:  # pragma: no cover - only a crash mid-commit leaves this
        raise Conflict(_("A request with this Idempotency-Key is still being processed."))
    response = Response(row.response_body, status=row.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(request: Request, key: str, print_: str) -> IdempotencyKey | None:
    """Insert the key's row (waiting on a concurrent one); None when it already exists."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=print_)
    except IntegrityError:
        return None


def idempotent(request: Request, write: Callable[[], Response]) -> Response:
    """Run `write` once per (user, Idempotency-Key); replay its response afterwards."""
    key = request.headers.get(HEADER)
    if key is None:
        return write()
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        # Translators: the characters of an Idempotency-Key header; the limit is 255.
        limit = _("Send 1–%(most)d printable characters.") % {"most": MAX_KEY}
        raise ValidationError({HEADER: [limit]})
    print_ = fingerprint(request)
    # A key past its lifetime is free again: delete it so that the insert below succeeds.
    IdempotencyKey.objects.filter(
        user=request.user, key=key, created_at__lt=timezone.now() - _lifetime()
    ).delete()
    try:
        with transaction.atomic():
            row = _claim(request, key, print_)
            if row is None:
                existing = IdempotencyKey.objects.get(user=request.user, key=key)
                return _replay(existing, print_)
            response = write()
            if response.status_code >= 400:
                raise _Failed(response)
            body = json.loads(JSONRenderer().render(response.data) or b"{}")
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status_code=response.status_code, response_body=body
            )
            return response
    except _Failed as failed:
        return failed.response


def purge_expired(*, limit: int = 10_000) -> int:
    """Delete keys older than their lifetime; returns how many went."""
    cutoff = timezone.now() - _lifetime()
    ids = list(
        IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:limit]
    )
    return IdempotencyKey.objects.filter(id__in=ids).delete()[0]
