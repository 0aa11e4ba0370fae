"""The case list and the case page: its timeline, policies, requests and tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from attachments.selectors import attachments_prefetch

from ..models import (
    Case,
    CaseEvent,
    CasePolicy,
    EventKind,
    ExceptionRequest,
    FollowUpTask,
    User,
)
from .compiled import compiled


def case_list_queryset(user: User) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("customer", "team", "category", "assignee")


TIMELINE_ROWS = 50


@dataclass
class Timeline:
    events: list[CaseEvent]  # newest first
    ratings: list[str]  # every feedback rating on the case, oldest first
    older_than: int | None = None  # the oldest event shown, when there are older ones
    before: int | None = None  # the anchor this page started from (None: the latest)


def case_timeline(case: Case, *, before: int | None = None, limit: int = TIMELINE_ROWS) -> Timeline:
    """The latest `limit` events on the case (or those older than event `before`), newest
    first, with actor, interaction and request in the same query.

    A case can gather hundreds of events; rendering them all made such a case page take a
    quarter of a second, and nobody reads that far down at once. Older events come on
    request, a page at a time, by keyset on (created_at, id) so a page never scans the
    events it skips.
    """
    anchor = None
    if before is not None:
        anchor = case.events.filter(pk=before).values_list("created_at", flat=True).first()
    if anchor is None:
        # Prepared, as the case's other lists: by one case's key, the generic plan is the
        # custom one, without planning it each time (selectors/prepared.py).
        latest = compiled("case.events", _latest_events, (limit,), prepared=True, case_id=case.pk)
        rows = _on_case(latest, case)
    else:
        older = Q(created_at__lt=anchor) | Q(created_at=anchor, id__lt=before)
        rows = _on_case(_events(case.pk).filter(older)[: limit + 1], case)
    shown = rows[:limit]
    has_older = len(rows) > limit
    if has_older or anchor is not None:
        # The header shows every rating, including those not on this page.
        ratings = list(
            case.events.filter(kind=EventKind.FEEDBACK)
            .order_by("created_at", "id")
            .values_list("to_value", flat=True)
        )
    else:
        ratings = [event.to_value for event in reversed(shown) if event.kind == EventKind.FEEDBACK]
    return Timeline(
        events=shown,
        ratings=ratings,
        older_than=shown[-1].pk if has_older else None,
        before=before if anchor is not None else None,
    )


def _events(case_id: int) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.filter(case_id=case_id)
        .select_related("actor", "interaction", "exception_request")
        .prefetch_related(attachments_prefetch("interaction__attachments"))
        .order_by("-created_at", "-id")
    )


def _latest_events(limit: int, *, case_id: int) -> QuerySet[CaseEvent]:
    """Newest first, one more than shown (to tell whether there are older ones)."""
    return _events(case_id)[: limit + 1]


def _on_case(rows: QuerySet[Any], case: Case) -> list[Any]:
    """The rows, each knowing its case (as `case.events` would have set it): no query when
    a row asks for it."""
    found = list(rows)
    for row in found:
        row.case = case
    return found


# The case page's lists, each made into SQL once per process (selectors/compiled.py):
# compiling them took about a millisecond each, as long as running them.


def case_policies(case: Case) -> list[Any]:
    """The policies involved, each with the version (and wording) pinned on the case."""
    return _on_case(compiled("case.policies", _policies, (), prepared=True, case_id=case.pk), case)


def _policies(*, case_id: int) -> QuerySet[CasePolicy]:
    return (
        CasePolicy.objects.filter(case_id=case_id)
        .select_related("policy", "policy_version__policy")
        .order_by("attached_at", "id")
    )


def case_requests(case: Case) -> list[Any]:
    return _on_case(compiled("case.requests", _requests, (), prepared=True, case_id=case.pk), case)


def _requests(*, case_id: int) -> QuerySet[ExceptionRequest]:
    return (
        ExceptionRequest.objects.filter(case_id=case_id)
        .select_related("requested_by", "decided_by", "policy_version__policy", "allowed_exception")
        .prefetch_related(attachments_prefetch("attachments"))
        .order_by("-requested_at", "-id")
    )


def case_tasks(case: Case) -> list[Any]:
    return _on_case(compiled("case.tasks", _tasks, (), prepared=True, case_id=case.pk), case)


def _tasks(*, case_id: int) -> QuerySet[Any]:
    return (
        FollowUpTask.objects.filter(case_id=case_id)
        .select_related("assignee", "completed_by")
        .order_by("status", "due_at")
    )
