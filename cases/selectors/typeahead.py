"""Search as you type: customers by phone (any form), email or name prefix, and a case by
its reference, each customer with their flags and latest open case.

Each kind of match is its own small query that an index answers in order and stops at
the limit: combined with OR and sorted by name, a short prefix such as "07700 90" or
"Gr" made PostgreSQL fetch and sort every match (tens of thousands of customers at
300,000) before keeping the first eight. A fixed number of queries whatever the matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Collate, Upper

from ..models import ACTIVE_STATUSES, Case, Customer, User, normalise_email, parse_reference
from ..phones import PhoneSearch

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


def phone_matches(customers: QuerySet[Customer], phone: PhoneSearch, limit: int) -> list[Customer]:
    """Customers whose phone is the number typed, starts as typed, or ends in its digits.

    At most two queries, each served by its own index: the full number (E.164 equality)
    together with its last digits (reversed-digits prefix), both selective; and, for a
    number still being typed from its start, an ordered prefix scan that stops at `limit`.
    """
    found: list[Customer] = []
    if phone.exact or phone.suffix:
        parts = Q(phone_reversed__startswith=phone.suffix) if phone.suffix else Q(pk__in=[])
        if phone.exact:
            parts |= Q(phone_normalised=phone.exact)
        found = list(customers.filter(parts).order_by("phone_reversed")[:limit])
    if phone.prefix:
        started = customers.filter(phone_normalised__startswith=phone.prefix)
        found += list(started.order_by("phone_normalised")[:limit])
    return _unique(found)[:limit]


def name_matches(customers: QuerySet[Customer], text: str, limit: int) -> list[Customer]:
    """Customers whose name, or its last word (a surname), starts with `text`, by name.

    Two queries, each reading its first matches in order from its own index (see
    migration 0012); merged and sorted here.
    """
    key = text.upper()
    found: list[Customer] = []
    for column in (Upper("name"), F("surname_key")):
        ordered = customers.annotate(key=_in_byte_order(column)).filter(key__startswith=key)
        found += list(ordered.order_by("key")[:limit])
    return sorted(_unique(found), key=lambda c: (c.name.upper(), c.pk))[:limit]


def _in_byte_order(expression: Any) -> Any:
    """On PostgreSQL, the expression in the "C" collation, as its index has it: then one
    index serves both the LIKE 'X%' and the ORDER BY (SQLite has no such collation name)."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def email_matches(customers: QuerySet[Customer], text: str, limit: int) -> list[Customer]:
    """Customers whose email starts with what was typed (served by its pattern index)."""
    started = customers.filter(email_normalised__startswith=normalise_email(text))
    return list(started.order_by("email_normalised")[:limit])


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
    customers = Customer.objects.visible_to(user).filter(erased_at__isnull=True)
    phone = PhoneSearch(query)
    # One more than shown tells whether to say "keep typing".
    if "@" in query:
        found = email_matches(customers, query, limit + 1)
    elif phone:
        found = phone_matches(customers, phone, limit + 1)
    elif any(ch.isalpha() for ch in query):
        found = name_matches(customers, query, limit + 1)
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
