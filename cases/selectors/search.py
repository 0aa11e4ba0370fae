"""Search: one box for a case reference, a customer or words in cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import BooleanField, QuerySet
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
# How many of a person's newest cases the word search walks before it asks the index.
RECENT_CASES = 50


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
        found_by_phone = phone_matches(user, phone, SEARCH_LIMIT)
        results.customers = sorted(found_by_phone, key=lambda c: (c.name, c.pk))
    else:
        found = customers.filter(name__icontains=query).order_by("name")
        results.customers = list(found[:SEARCH_LIMIT])
    # A whole email address or phone number is all but unique text; "refund@" (the word
    # refund) or "2026" (four digits: a phone's last digits, or a year) may be in
    # millions of rows.
    rare = phone.exact is not None or EMAIL_ADDRESS.fullmatch(query) is not None
    results.cases = cases_with_words(cases, query, rare=rare)
    return results


EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# (created_at, id): what each step of the word search finds, newest first when sorted.
Key = tuple[datetime, int]


def cases_with_words(cases: QuerySet[Case], query: str, *, rare: bool = False) -> list[Case]:
    """Newest cases whose subject has the words, and cases whose interactions do.

    Bounded queries rather than one OR: on PostgreSQL each can use an index. Subjects and
    interactions are each looked for in two steps, because no single plan serves both
    kinds of word (for subjects: RECENT_SUBJECTS and SUBJECT_HITS):
    - the person's RECENT_CASES newest cases, each probed through its own interactions
      (interaction_case_idx). A common word is found in the first few dozen cases and the
      walk stops at SEARCH_LIMIT, so it reads a few hundred interactions, not millions;
    - only when that finds fewer than SEARCH_LIMIT cases (a rarer word), the full-text GIN
      index over all interactions, capped at INTERACTION_HITS hits.

    Text that is all but unique (`rare`: an email address, a phone number) asks the two
    indexes first (_every_hit): walking the newest cases tests hundreds of subjects for
    nothing, and PostgreSQL's choice between that walk and the index turned with the
    table's size (0.2 ms at 1M cases, 2.1 ms at 3M; bench/results/flat-2026-12-01-1954/).

    Each step reads only the keys of the cases it finds, and the newest SEARCH_LIMIT are
    then fetched once with what the table shows (customer, team, category, assignee). With
    those four joins beside its semi-joins, each step cost PostgreSQL 2.8–6.6 ms to plan
    at 1M cases, against 0.1–2.5 ms to run; without them, about 0.5 ms
    (bench/results/planning-survey-2026-12-01-0330.json).
    """
    postgresql = connection.vendor == "postgresql"
    keys = _every_hit(cases, query) if rare and postgresql else None
    if keys is None and postgresql:
        keys = _subjects_with_words(cases, query)
        by_summary = _recent_cases_with_words(cases, query)
        if len(by_summary) < SEARCH_LIMIT:
            by_summary += _cases_with_words_anywhere(cases, query)
        keys += by_summary
    elif keys is None:
        summary_case_ids = Interaction.objects.filter(summary__icontains=query).values("case_id")
        keys = [
            *_newest(cases.filter(subject__icontains=query), SEARCH_LIMIT),
            *_newest(cases.filter(pk__in=summary_case_ids), SEARCH_LIMIT),
        ]
    newest = sorted(set(keys), reverse=True)[:SEARCH_LIMIT]
    if not newest:
        return []
    # Still through the person's own queryset: what they may see, and nothing else.
    found = {case.pk: case for case in cases.filter(pk__in=[pk for _, pk in newest])}
    return [found[pk] for _, pk in newest if pk in found]


def _newest(cases: QuerySet[Case], limit: int) -> list[Key]:
    """The keys of the newest `limit` of `cases`, in one query without their joins."""
    return list(cases.order_by("-created_at").values_list("created_at", "pk")[:limit])


SUBJECT = "to_tsvector('english'::regconfig, (COALESCE(subject, ''::character varying))::text)"
RECENT_SUBJECTS = 500
SUBJECT_HITS = 500
# The first hits of the subject index (case_subject_fts), capped: the words, the cap.
SUBJECT_HITS_SQL = (
    f"SELECT id FROM cases_case WHERE {SUBJECT} "
    "@@ websearch_to_tsquery('english'::regconfig, %s) LIMIT %s"
)
# The same of the interactions' index: their cases' ids.
SUMMARY_HITS_SQL = (
    "SELECT case_id FROM cases_interaction WHERE "
    "to_tsvector('english'::regconfig, COALESCE(summary, '')) "
    "@@ websearch_to_tsquery('english'::regconfig, %s) LIMIT %s"
)


def _subjects_with_words(cases: QuerySet[Case], query: str) -> list[Key]:
    """The newest cases whose subject has the words: first among the person's
    RECENT_SUBJECTS newest (a common word stops there), then, when that finds fewer than
    SEARCH_LIMIT, among the first SUBJECT_HITS hits of the subject index (case_subject_fts).

    One query ordered by date would walk a team's cases newest first and test each until
    it had SEARCH_LIMIT: for a word that no case or only an old one has, that tests every
    case of the team. At 3M cases (150,000 a team) it took 0.9 s
    (bench/results/scale-3m-before-fixes-2026-11-30-2050/large.json); the index answers in
    a millisecond."""
    words = SearchQuery(query, config="english", search_type="websearch")
    matching = cases.annotate(sv=SearchVector("subject", config="english")).filter(sv=words)
    newest = cases.order_by("-created_at").values("pk")[:RECENT_SUBJECTS]
    found = _newest(matching.filter(pk__in=newest), SEARCH_LIMIT)
    if len(found) < SEARCH_LIMIT:
        hits = _among_ids(SUBJECT_HITS_SQL, [query, SUBJECT_HITS])
        seen = [pk for _, pk in found]
        found += _newest(cases.filter(hits).exclude(pk__in=seen), SEARCH_LIMIT - len(found))
    return found


def _recent_cases_with_words(cases: QuerySet[Case], query: str) -> list[Key]:
    """The newest of the person's RECENT_CASES newest cases that have an interaction with
    the words (at most SEARCH_LIMIT). On 1M cases, "refund" reads about 40 cases' interactions
    instead of the first 500 hits of a sequential scan (bench/results/search-plans-*)."""
    # An IN over the newest ids, not a bound on created_at: with a bound the planner cannot
    # see how few cases it walks and starts parallel workers (30 ms) for 0.5 ms of work.
    newest = cases.order_by("-created_at").values("pk")[:RECENT_CASES]
    hit = RawSQL(
        "EXISTS (SELECT 1 FROM cases_interaction hit WHERE hit.case_id = cases_case.id AND "
        "to_tsvector('english'::regconfig, COALESCE(hit.summary, '')) "
        "@@ websearch_to_tsquery('english'::regconfig, %s))",
        [query],
        output_field=BooleanField(),
    )
    return _newest(cases.filter(hit, pk__in=newest), SEARCH_LIMIT)


def _cases_with_words_anywhere(cases: QuerySet[Case], query: str) -> list[Key]:
    """Cases whose interactions have the words, from the first INTERACTION_HITS hits of the
    full-text index (a common word would match millions: "the newest of all of them" would
    mean reading them all)."""
    hits = _among_ids(SUMMARY_HITS_SQL, [query, INTERACTION_HITS])
    return _newest(cases.filter(hits), SEARCH_LIMIT)


def _every_hit(cases: QuerySet[Case], query: str) -> list[Key] | None:
    """The newest of every case whose subject or interactions have the words, read from
    the two full-text indexes alone; None when either has more than its cap of hits (the
    text is not so rare after all: the usual steps then)."""
    with connection.cursor() as cursor:
        cursor.execute(SUBJECT_HITS_SQL, [query, SUBJECT_HITS + 1])
        by_subject = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(SUMMARY_HITS_SQL, [query, INTERACTION_HITS + 1])
        by_summary = [pk for (pk,) in cursor.fetchall()]
    if len(by_subject) > SUBJECT_HITS or len(by_summary) > INTERACTION_HITS:
        return None
    found = set(by_subject) | set(by_summary)
    # Still through the person's own queryset: their cases among the hits.
    return _newest(cases.filter(pk__in=sorted(found)), SEARCH_LIMIT) if found else []


def _among_ids(hits_sql: str, params: list[object]) -> RawSQL:
    """The case's id is among the ids `hits_sql` returns (a capped full-text index read).

    The LIMIT keeps the planner on the GIN index (an ORDER BY would tempt it to walk a
    date index and test every row). As an array computed once, the hits are then looked
    up by key: as `id IN (subquery)`, PostgreSQL expected thousands of hits and, reading
    only keys, hashed them against an index-only scan of the team's cases (9 ms at 1M,
    for a word with 9 hits; 0.1 ms this way)."""
    return RawSQL(f"cases_case.id = ANY(ARRAY({hits_sql}))", params, output_field=BooleanField())


def search_text(request: HttpRequest) -> str:
    """The `q` parameter as safe text: NUL bytes (which PostgreSQL refuses) dropped, 200
    characters at most."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:200]
