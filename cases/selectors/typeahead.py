"""Search as you type: customers by phone (any form), email or name prefix, and a case by
its reference, each customer with their flags and latest open case.

Each kind of match is a walk that an index answers in order and stops at the limit:
combined with OR and sorted by name, a short prefix such as "07700 90" or "Gr" made
PostgreSQL fetch and sort every match (tens of thousands of customers at 300,000) before
keeping the first eight. The walks of one search, and the two parts of who may see a
customer, go in one UNION ALL (see first_matches). A fixed number of queries whatever
the matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Collate, Upper

from ..models import ACTIVE_STATUSES, Case, Customer, User, normalise_email, parse_reference
from ..phones import PhoneSearch
from .combined import in_one_query

TYPEAHEAD_LIMIT = 8
MIN_QUERY = 2


@dataclass
class CustomerMatch:
    customer: Customer
    latest_open: Case | None = None  # their newest case still new, open or pending
    latest: Case | None = None  # their newest case of any status

    @property
    def case_to_open(self) -> Case | None:
        """What "Open latest case" opens: the latest open one, else the latest."""
        return self.latest_open or self.latest


@dataclass
class Typeahead:
    query: str
    case: Case | None = None
    customers: list[CustomerMatch] = field(default_factory=list)
    more: bool = False  # more customers match than are shown: keep typing

    @property
    def empty(self) -> bool:
        return not (self.case or self.customers)


@dataclass(frozen=True)
class Walk:
    """One way of matching customers: read in the order of `key` (as its index has it),
    keeping those that pass `where` (which may name the key)."""

    key: Any
    where: Q


def first_matches(
    user: User, walks: list[Walk], limit: int, *, only: Q | None = None
) -> list[list[Customer]]:
    """The first `limit` customers the user may see (and that pass `only`) for each walk,
    in its order: one query.

    Each walk runs once per part of the user's visibility (registered by my teams; with
    a case in my teams: CustomerQuerySet.visible_to_in_parts), each branch cut at
    `limit`, all in one UNION ALL. Every branch reads its index in order and stops: with
    the parts joined by OR, PostgreSQL tests "has a case in my teams" with a hashed
    subplan that reads every case of the teams (50,000 at 1M cases) before the first
    row, as "Ale" (12,000 matching customers) or "07700 12" (10,000) did. Merging the
    parts' first `limit` rows by the walk's key gives the first `limit` of the union.
    """
    parts = [part.filter(only or Q()) for part in Customer.objects.visible_to_in_parts(user)]
    branches = [
        (part.annotate(key=walk.key).filter(walk.where).order_by("key"), limit)
        for walk in walks
        for part in parts
    ]
    rows = in_one_query(branches)
    found: list[list[Customer]] = []
    for index in range(len(walks)):
        merged = [c for part in rows[index * len(parts) : (index + 1) * len(parts)] for c in part]
        merged.sort(key=lambda c: (c.key, c.pk))  # type: ignore[attr-defined]
        found.append(_unique(merged)[:limit])
    return found


def phone_matches(
    user: User, phone: PhoneSearch, limit: int, *, only: Q | None = None
) -> list[Customer]:
    """Customers whose phone is the number typed, ends in its digits, or starts as typed.

    One query of two walks, each served by its own index: the full number (E.164
    equality) together with its last digits (reversed-digits prefix), both selective;
    and, for a number still being typed from its start, the first matches in order
    (customer_phone_start_idx, migration 0019: the pattern index finds them but would
    sort every match). Full number and last digits come first.
    """
    walks: list[Walk] = []
    if phone.exact or phone.suffix:
        ends = Q(phone_reversed__startswith=phone.suffix) if phone.suffix else Q(pk__in=[])
        if phone.exact:
            ends |= Q(phone_normalised=phone.exact)
        walks.append(Walk(key=F("phone_reversed"), where=ends))
    if phone.prefix:
        starts = Q(key__startswith=phone.prefix)
        walks.append(Walk(key=_in_byte_order(F("phone_normalised")), where=starts))
    if not walks:
        return []
    by_walk = first_matches(user, walks, limit, only=only)
    return _unique([customer for found in by_walk for customer in found])[:limit]


def name_matches(user: User, text: str, limit: int, *, only: Q | None = None) -> list[Customer]:
    """Customers whose name, or its last word (a surname), starts with `text`, by name.

    One query of two walks, each reading its first matches in order from its own index
    (see migration 0015); merged and sorted here.
    """
    starts = Q(key__startswith=text.upper())
    walks = [
        Walk(key=_in_byte_order(Upper("name")), where=starts),
        Walk(key=_in_byte_order(F("surname_key")), where=starts),
    ]
    by_walk = first_matches(user, walks, limit, only=only)
    found = _unique([customer for found in by_walk for customer in found])
    return sorted(found, key=lambda c: (c.name.upper(), c.pk))[:limit]


def _in_byte_order(expression: Any) -> Any:
    """On PostgreSQL, the expression in the "C" collation, as its index has it: then one
    index serves both the LIKE 'X%' and the ORDER BY (SQLite has no such collation name)."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def email_matches(user: User, text: str, limit: int, *, only: Q | None = None) -> list[Customer]:
    """Customers whose email starts with what was typed (served by its pattern index)."""
    starts = Q(email_normalised__startswith=normalise_email(text))
    walk = Walk(key=F("email_normalised"), where=starts)
    (found,) = first_matches(user, [walk], limit, only=only)
    return found


def typeahead(user: User, query: str, *, limit: int = TYPEAHEAD_LIMIT) -> Typeahead:
    """Matches for what is typed so far: a reference, or customers by phone/email/name."""
    query = query.replace("\x00", "").strip()[:200]
    result = Typeahead(query=query)
    if len(query) < MIN_QUERY:
        return result
    case_id = parse_reference(query)
    if case_id is not None:
        cases = Case.objects.visible_to(user).select_related("customer", "category")
        result.case = cases.filter(pk=case_id).first()
        return result
    # An erased customer is final: never offered to open a case for, or to find again.
    offered = Q(erased_at__isnull=True)
    phone = PhoneSearch(query)
    # One more than shown tells whether to say "keep typing".
    if "@" in query:
        found = email_matches(user, query, limit + 1, only=offered)
    elif phone:
        found = phone_matches(user, phone, limit + 1, only=offered)
    elif any(ch.isalpha() for ch in query):
        found = name_matches(user, query, limit + 1, only=offered)
    else:
        found = []
    result.more = len(found) > limit
    result.customers = with_latest_cases(user, found[:limit])
    return result


def with_latest_cases(user: User, customers: list[Customer]) -> list[CustomerMatch]:
    """Each customer with their latest open and latest visible case: two queries for all."""
    if not customers:
        return []
    visible = Case.objects.visible_to(user).filter(customer=OuterRef("pk"))
    newest = ("-created_at", "-id")  # case_customer_idx walks a customer's cases in order
    latest = (
        Customer.objects.filter(pk__in=[c.pk for c in customers])
        .annotate(
            open_id=Subquery(
                visible.filter(status__in=ACTIVE_STATUSES).order_by(*newest).values("pk")[:1]
            ),
            latest_id=Subquery(visible.order_by(*newest).values("pk")[:1]),
        )
        .values_list("pk", "open_id", "latest_id")
    )
    ids = {pk: (open_id, latest_id) for pk, open_id, latest_id in latest}
    wanted = {case_id for pair in ids.values() for case_id in pair if case_id}
    found = Case.objects.filter(pk__in=wanted).select_related("category")
    cases = {case.pk: case for case in found}
    matches = []
    for customer in customers:
        open_id, latest_id = ids.get(customer.pk, (None, None))
        matches.append(
            CustomerMatch(customer, latest_open=cases.get(open_id), latest=cases.get(latest_id))
        )
    return matches


def _unique(customers: list[Customer]) -> list[Customer]:
    return list({customer.pk: customer for customer in customers}.values())
