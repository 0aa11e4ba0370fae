"""The approval queue: exception requests a manager may decide, with customer history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from attachments.selectors import attachments_prefetch
from casedesk import cache_keys

from ..models import ACTIVE_STATUSES, GRANTED_STATUSES, Case, ExceptionRequest, User
from .compiled import compiled
from .planning import joins_as_written


def _customer_history(user: User, since: datetime) -> dict[str, Any]:
    """Annotations for a request row: its customer's granted exceptions over 12 months
    and open cases — subqueries, so the queue stays one query however long it is.

    Counted within the viewer's scope, as the customer's profile counts them: another
    team's grants are that team's business (and would disagree with the profile)."""
    granted = (
        ExceptionRequest.objects.visible_to(user)
        .filter(
            case__customer_id=OuterRef("case__customer_id"),
            status__in=GRANTED_STATUSES,
            requested_at__gte=since,
        )
        .values("case__customer_id")
    )
    open_cases = (
        Case.objects.visible_to(user)
        .filter(customer_id=OuterRef("case__customer_id"), status__in=ACTIVE_STATUSES)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    money: DecimalField[Any, Any] = DecimalField(max_digits=12, decimal_places=2)
    return {
        "granted_count_12m": Coalesce(
            Subquery(granted.annotate(n=Count("id")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        "granted_value_12m": Coalesce(
            Subquery(granted.annotate(s=Sum("granted_value")).values("s"), output_field=money),
            Value(0, output_field=money),
        ),
        "open_cases": Coalesce(Subquery(open_cases, output_field=IntegerField()), Value(0)),
    }


APPROVALS_SHOWN = 20


def approval_queue(user: User, *, limit: int = APPROVALS_SHOWN) -> list[Any]:
    """The oldest `limit` requests this user may decide, with the customer's history.

    A page at a time, because each card costs about a millisecond to render and three
    subqueries to fill: at 60 waiting the unbounded queue took 56 ms p95 against 15 at a
    few (bench/results/pages-2026-11-30-1908.json and -1922). Deciding the oldest brings
    the next ones up, so no page 2 is needed."""
    since = timezone.now() - timedelta(days=365)
    with joins_as_written():  # eight tables: planning them took twice the running
        # Compiling it took as long again (compiled.py): its SQL is made once per shape, and
        # kept prepared, its generic plan the same walk of the teams' pending requests.
        queue = compiled("approvals.queue", _queue, (limit,), prepared=True, user=user, since=since)
        return list(queue)


def _queue(limit: int, *, user: User, since: datetime) -> QuerySet[ExceptionRequest]:
    queue: QuerySet[ExceptionRequest] = (
        ExceptionRequest.objects.decidable_by(user)
        .select_related(
            "case",
            "case__customer",
            "case__team",
            "requested_by",
            "policy_version__policy",
            "allowed_exception",
        )
        .annotate(**_customer_history(user, since))
        .prefetch_related(attachments_prefetch("attachments"))
        .order_by("requested_at", "id")[:limit]
    )
    return queue


def waiting_count(user: User) -> int:
    return ExceptionRequest.objects.decidable_by(user).count()


def waiting_badge(user: User) -> int:
    """waiting_count for the navigation badge on every page, kept per person for
    CASEDESK_APPROVALS_BADGE_SECONDS: one cache read instead of a COUNT per page. A request
    made, decided or withdrawn bumps the generation (cases/services/badges.py), so the badge
    is counted afresh on the next page; the time limit only bounds changes made behind the
    services' back."""
    seconds = settings.CASEDESK_APPROVALS_BADGE_SECONDS
    if seconds <= 0:
        return waiting_count(user)
    generation_key = cache_keys.APPROVALS_GENERATION
    key = cache_keys.approvals_badge(user_id=user.pk, role=user.role, team_ids=user.team_ids())
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key, 0)
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return int(kept[1])
    # The generation is read before counting: a bump in between makes this entry stale
    # at once, never a wrong count kept.
    count = waiting_count(user)
    cache.set(key, (generation, count), seconds)
    return count
