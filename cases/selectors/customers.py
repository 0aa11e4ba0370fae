"""A customer's profile: their cases, interactions, exceptions and what they cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from ..models import (
    GRANTED_STATUSES,
    Case,
    Customer,
    CustomerFlagNote,
    ExceptionRequest,
    FeedbackRequest,
    Interaction,
    User,
)
from .compiled import compiled
from .planning import joins_as_written


@dataclass
class CustomerProfile:
    customer: Customer
    cases: list[Case]
    interactions: list[Interaction]
    minutes_12m: int
    interactions_12m: int
    cases_12m: int
    ledger: list[Any] = field(default_factory=list)
    granted_value_12m: Any = 0
    ratings: list[Any] = field(default_factory=list)
    limit: int = 0
    # (label, is_danger, note or None) per flag: who set it, when and why.
    flag_notes: list[tuple[str, bool, CustomerFlagNote | None]] = field(default_factory=list)


# Latest cases and interactions on the profile; all of a customer's cases are one click
# away in the case list. Rendering 50 of each was most of a demanding customer's profile.
PROFILE_ROWS = 20


def customer_profile(
    user: User, customer: Customer, *, limit: int = PROFILE_ROWS
) -> CustomerProfile:
    """The customer's visible cases and interactions, and what they cost over 12 months.

    The visible case ids come first, in one query; the totals, cases, ledger and rating are
    asked by those ids. A plain IN list compiles and plans in a fraction of the time the
    visibility subquery took when repeated in each query, and a customer with no case we
    may see costs nothing more.
    """
    since = timezone.now() - timedelta(days=365)
    # Made into SQL once per shape of user (compiled.py), as the lists below.
    visible = list(
        compiled("profile.visible", _visible, (), prepared=True, user=user, customer=customer.pk)
    )
    profile = CustomerProfile(
        customer=customer,
        cases=[],
        interactions=[],
        minutes_12m=0,
        interactions_12m=0,
        cases_12m=sum(1 for _, created in visible if created >= since),
        granted_value_12m=Decimal("0.00"),
        limit=limit,
    )
    profile.flag_notes = flag_notes(customer)
    ids = [pk for pk, _ in visible]
    if not ids:
        return profile
    interactions = Interaction.objects.filter(case_id__in=ids)
    totals = interactions.filter(occurred_at__gte=since).aggregate(
        minutes=Sum("minutes"), count=Count("id")
    )
    profile.minutes_12m = totals["minutes"] or 0
    profile.interactions_12m = totals["count"] or 0
    # From their cases, not by the id list: given a long IN list PostgreSQL walks every
    # interaction newest first looking for 20 of theirs (0.5 s for a customer with 170
    # cases); from the customer's cases it reads only theirs. A semi-join PostgreSQL must
    # be free to reorder, so before the block below.
    # The lists below are made into SQL once per shape (selectors/compiled.py): compiling
    # them took longer than running them.
    profile.interactions = list(
        compiled("profile.interactions", _interactions, (limit,), user=user, customer=customer.pk)
    )
    # By the id list, then each joined table by its key: planned in written order, the
    # cases and the ledger took 3 ms less to plan at 1M (1.9 → 0.8 and 2.9 → 0.9 ms,
    # bench/results/planning-survey-2026-12-01-0330.json).
    # `visible` is newest first, as the cases shown, so those are its first `limit`:
    # fetched by their keys alone, not all 172 of the busiest customer joined to four
    # tables and sorted (2.3 ms of running at 1M), and kept prepared: by key, the generic
    # plan is the custom one (selectors/prepared.py).
    shown = ids[:limit]
    with joins_as_written():
        profile.cases = list(compiled("profile.cases", _cases, (limit,), prepared=True, ids=shown))
        _add_exceptions_and_rating(profile, ids=ids, since=since)
    return profile


def _visible(*, user: User, customer: int) -> QuerySet[Any]:
    """The ids and creation times of the customer's cases the user may see, newest first."""
    return (
        Case.objects.visible_to(user)
        .filter(customer_id=customer)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at")
    )


def _interactions(limit: int, *, user: User, customer: int) -> QuerySet[Interaction]:
    """The newest `limit` by key first, then only those joined to their case and author:
    joined before the limit, every interaction of the customer was (807 for the customer
    with 172 cases: 7.4 ms, now 2.1; 7.3-8.2 ms, now 1.4-1.8, for typical ones at 1M)."""
    their_cases = Case.objects.visible_to(user).filter(customer_id=customer)
    newest = (
        Interaction.objects.filter(case__in=their_cases)
        .order_by("-occurred_at", "-id")
        .values("id")[:limit]
    )
    return (
        Interaction.objects.filter(id__in=newest)
        .select_related("case", "author")
        .order_by("-occurred_at", "-id")
    )


def _cases(limit: int, *, ids: list[int]) -> QuerySet[Case]:
    return (
        Case.objects.filter(pk__in=ids)
        .select_related("customer", "team", "category", "assignee")
        .order_by("-created_at", "-id")[:limit]
    )


def _ledger(limit: int, *, ids: list[int]) -> QuerySet[ExceptionRequest]:
    """Every exception asked for them, newest first."""
    return (
        ExceptionRequest.objects.filter(case_id__in=ids)
        .select_related("case", "requested_by", "decided_by", "policy_version__policy")
        .order_by("-requested_at", "-id")[:limit]
    )


def flag_notes(customer: Customer) -> list[tuple[str, bool, CustomerFlagNote | None]]:
    """Each flag with its open note (who set it, when, why): one query, none without flags.
    A flag set before CaseDesk recorded this has no note."""
    if not customer.flags:
        return []
    notes = CustomerFlagNote.objects.filter(customer=customer, cleared_at__isnull=True)
    by_flag = {note.flag: note for note in notes.select_related("set_by")}
    return [(label, danger, by_flag.get(code)) for code, label, danger in customer.flag_labels()]


def _add_exceptions_and_rating(
    profile: CustomerProfile, *, ids: list[int], since: datetime
) -> None:
    """The profile's exception ledger, value granted since `since`, and latest rating."""
    requests = ExceptionRequest.objects.filter(case_id__in=ids)
    profile.ledger = list(compiled("profile.ledger", _ledger, (2 * profile.limit,), ids=ids))
    granted = requests.filter(status__in=GRANTED_STATUSES, requested_at__gte=since).aggregate(
        total=Sum("granted_value")
    )["total"]
    profile.granted_value_12m = granted or Decimal("0.00")
    # The profile shows the latest.
    profile.ratings = list(compiled("profile.rating", _latest_rating, (), ids=ids))


def _latest_rating(*, ids: list[int]) -> QuerySet[FeedbackRequest]:
    rated = FeedbackRequest.objects.filter(case_id__in=ids, rating__isnull=False)
    return rated.order_by("-used_at")[:1]
