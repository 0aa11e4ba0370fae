"""Search: one box for a case reference, a customer or words in cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest

from ..models import (
    Case,
    Customer,
    Interaction,
    User,
    normalise_email,
    parse_reference,
)
from ..phones import PhoneSearch
from .cases import case_list_queryset
from .typeahead import phone_matches

SEARCH_LIMIT = 20
INTERACTION_HITS = 500


@dataclass
class SearchResults:
    query: str
    case: Case | None = None
    cases: list[Case] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.case or self.cases or self.customers)


def search(user: User, query: str) -> SearchResults:
    """One box: a case reference, a customer's name/email/phone, or words in cases."""
    query = query.replace("\x00", "").strip()[:200]
    results = SearchResults(query=query)
    if len(query) < 2:
        return results
    cases = case_list_queryset(user)
    case_id = parse_reference(query)
    if case_id is not None:
        # A reference is a reference: nothing else to look for.
        results.case = cases.filter(pk=case_id).first()
        return results
    customers = Customer.objects.visible_to(user)
    phone = PhoneSearch(query)
    if "@" in query:
        found = customers.filter(email_normalised=normalise_email(query)).order_by("name")
        results.customers = list(found[:SEARCH_LIMIT])
    elif phone:
        # Any way of typing the number, or its last digits (see cases/phones.py).
        found_by_phone = phone_matches(customers, phone, SEARCH_LIMIT)
        results.customers = sorted(found_by_phone, key=lambda c: (c.name, c.pk))
    else:
        found = customers.filter(name__icontains=query).order_by("name")
        results.customers = list(found[:SEARCH_LIMIT])
    results.cases = cases_with_words(cases, query)
    return results


def cases_with_words(cases: QuerySet[Case], query: str) -> list[Case]:
    """Newest cases whose subject has the words, and cases whose interactions do.

    Two bounded queries rather than one OR: on PostgreSQL each can use its full-text GIN
    index; the interaction hits are capped (first INTERACTION_HITS found), because a
    common word matches millions of interactions and "the newest of all of them" would
    mean reading them all.
    """
    if connection.vendor == "postgresql":
        words = SearchQuery(query, config="english", search_type="websearch")
        by_subject: list[Case] = list(
            cases.annotate(sv=SearchVector("subject", config="english"))
            .filter(sv=words)
            .order_by("-created_at")[:SEARCH_LIMIT]
        )
        # A LIMIT inside the subquery keeps the planner on the GIN index (an ORDER BY
        # here would tempt it to walk a date index and test every row).
        hits = RawSQL(
            "SELECT case_id FROM (SELECT case_id FROM cases_interaction WHERE "
            "to_tsvector('english'::regconfig, COALESCE(summary, '')) "
            "@@ websearch_to_tsquery('english'::regconfig, %s) LIMIT %s) AS hits",
            [query, INTERACTION_HITS],
        )
        by_summary = list(cases.filter(pk__in=hits).order_by("-created_at")[:SEARCH_LIMIT])
    else:
        by_subject = list(cases.filter(subject__icontains=query).order_by("-created_at")[:20])
        summary_case_ids = Interaction.objects.filter(summary__icontains=query).values("case_id")
        by_summary = list(cases.filter(pk__in=summary_case_ids).order_by("-created_at")[:20])
    merged = {case.pk: case for case in [*by_subject, *by_summary]}
    return sorted(merged.values(), key=lambda c: (c.created_at, c.pk), reverse=True)[:SEARCH_LIMIT]


def search_text(request: HttpRequest) -> str:
    """The `q` parameter as safe text: NUL bytes (which PostgreSQL refuses) dropped, 200
    characters at most."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:200]
