"""Bulk actions: a manager assigns, re-prioritises or closes many cases in one step.

All or nothing. The selected rows are locked (`SELECT … FOR UPDATE`, in id order so two
bulk actions cannot deadlock) and every case is checked before anything is written: one
case that may not move — not found (another team's, or gone), closed, not resolved, an
assignee outside its team — refuses the whole action, named by reference. Then one
conditional `UPDATE … WHERE id IN (…) AND status IN (…)` per action, checked for the number
of rows expected (else the transaction rolls back), and one INSERT of the timeline events:
one event per change per case, as the single-case services write them, in a fixed number
of queries whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ..models import (
    PRIORITY_RANK,
    Case,
    CaseEvent,
    EventKind,
    Priority,
    Role,
    Status,
    User,
    format_reference,
)
from .errors import CaseError, NotAllowed
from .timeline import ALLOWED_TRANSITIONS, record_events

# The case list's largest page: a bulk action never spans more than one page.
MAX_BULK_CASES = 100

# Statuses whose cases can still be worked on (assigned, re-prioritised): any with a move
# left, as `permissions.can_work_on` reads it.
WORKABLE = [status for status, moves in ALLOWED_TRANSITIONS.items() if moves]


class BulkRefused(CaseError):
    """Some selected cases may not move; nothing was changed. `problems`: reference → why,
    each a sentence naming its case ("CD-000012 is closed") without the full stop."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(why for _ref, why in sorted(problems.items()))
        # Translators: %(problems)s lists why, e.g. "CD-000012 is closed; CD-000015 not found".
        super().__init__(gettext("Nothing was changed. %(problems)s.") % {"problems": listed})


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: the cases it changed, and those that already were so."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _require_manager(by: User) -> None:
    if by.role not in {Role.MANAGER, Role.ADMIN}:
        raise NotAllowed(gettext("Only managers act on many cases at once."))


def _lock(*, by: User, case_ids: Iterable[int]) -> list[Case]:
    """The selected cases this user may see, locked; refuses the lot if any is missing."""
    ids = sorted(set(case_ids))
    if not ids:
        raise NotAllowed(gettext("Select at least one case."))
    if len(ids) > MAX_BULK_CASES:
        raise NotAllowed(
            ngettext(
                "Select at most %(count)d case at once.",
                "Select at most %(count)d cases at once.",
                MAX_BULK_CASES,
            )
            % {"count": MAX_BULK_CASES}
        )
    cases = list(
        Case.objects.visible_to(by)
        .select_related("assignee", "team")
        .select_for_update(of=("self",))
        .filter(id__in=ids)
        .order_by("id")
    )
    found = {case.pk for case in cases}
    # Another team's case is "not found", exactly like a case that does not exist.
    problems = {
        format_reference(pk): gettext("%(reference)s not found")
        % {"reference": format_reference(pk)}
        for pk in ids
        if pk not in found
    }
    if problems:
        raise BulkRefused(problems)
    return cases


def _apply(
    *,
    by: User,
    cases: list[Case],
    check: Callable[[Case], str | None],
    changes: Callable[[Case], bool],
    statuses: list[str],
    update: dict[str, object],
    event: Callable[[Case], CaseEvent],
) -> BulkResult:
    """Check every case, then update those that change in one conditional UPDATE and write
    their events in one INSERT. Runs inside the caller's transaction, rows locked."""
    problems = {case.reference: why for case in cases if (why := check(case))}
    if problems:
        raise BulkRefused(problems)
    changing = [case for case in cases if changes(case)]
    if changing:
        now = timezone.now()
        updated = Case.objects.filter(
            id__in=[case.pk for case in changing], status__in=statuses
        ).update(updated_at=now, last_activity_at=now, **update)
        if updated != len(changing):
            # Cannot happen under the locks; if it does, nothing of this action stays.
            raise CaseError(gettext("The cases changed while they were being updated; try again."))
        record_events([event(case) for case in changing])
    return BulkResult(
        changed=[case.reference for case in changing],
        unchanged=[case.reference for case in cases if case not in changing],
    )


def _not_workable(case: Case) -> str | None:
    if case.status in WORKABLE:
        return None
    # Translators: e.g. "CD-000012 is closed" (a case status, in lower case).
    return gettext("%(reference)s is %(status)s") % {
        "reference": case.reference,
        "status": case.get_status_display().lower(),
    }


@transaction.atomic
def bulk_assign(*, by: User, case_ids: Iterable[int], assignee: User | None) -> BulkResult:
    """Give every selected case to `assignee` (or to nobody): one "Reassigned" event per
    case that changes hands. Refused whole if any case is closed or outside the assignee's
    teams."""
    _require_manager(by)
    cases = _lock(by=by, case_ids=case_ids)
    member_of: set[int] = set()
    if assignee is not None and assignee.is_active:
        member_of = set(assignee.teams.values_list("id", flat=True))

    def check(case: Case) -> str | None:
        if assignee is not None and case.team_id not in member_of:
            # Translators: e.g. "CD-000012: Sam Jones is not a member of Downtown store".
            return gettext("%(reference)s: %(person)s is not a member of %(team)s") % {
                "reference": case.reference,
                "person": assignee,
                "team": case.team,
            }
        return _not_workable(case)

    target = assignee.pk if assignee else None
    return _apply(
        by=by,
        cases=cases,
        check=check,
        changes=lambda case: case.assignee_id != target,
        statuses=WORKABLE,
        update={"assignee": assignee},
        event=lambda case: CaseEvent(
            case=case,
            actor=by,
            kind=EventKind.ASSIGNEE,
            from_value=str(case.assignee) if case.assignee_id else "",
            to_value=str(assignee) if assignee else "",
        ),
    )


@transaction.atomic
def bulk_set_priority(*, by: User, case_ids: Iterable[int], priority: str) -> BulkResult:
    """Set every selected case's priority: one "Priority changed" event per case whose
    priority changes. Refused whole if any case is closed."""
    _require_manager(by)
    if priority not in Priority.values:
        raise NotAllowed(gettext("%(value)s is not a valid priority.") % {"value": repr(priority)})
    cases = _lock(by=by, case_ids=case_ids)
    return _apply(
        by=by,
        cases=cases,
        check=_not_workable,
        changes=lambda case: case.priority != priority,
        statuses=WORKABLE,
        update={"priority": priority, "priority_rank": PRIORITY_RANK[priority]},
        event=lambda case: CaseEvent(
            case=case,
            actor=by,
            kind=EventKind.PRIORITY,
            from_value=case.priority,
            to_value=priority,
        ),
    )


@transaction.atomic
def bulk_close(*, by: User, case_ids: Iterable[int]) -> BulkResult:
    """Close every selected case, which must all be resolved: one "Closed" event each."""
    _require_manager(by)
    cases = _lock(by=by, case_ids=case_ids)

    def check(case: Case) -> str | None:
        if case.status == Status.RESOLVED:
            return None
        # Translators: e.g. "CD-000012 is new, not resolved" (a case status, in lower case).
        return gettext("%(reference)s is %(status)s, not resolved") % {
            "reference": case.reference,
            "status": case.get_status_display().lower(),
        }

    return _apply(
        by=by,
        cases=cases,
        check=check,
        changes=lambda case: True,
        statuses=[Status.RESOLVED],
        update={"status": Status.CLOSED, "closed_at": timezone.now()},
        event=lambda case: CaseEvent(
            case=case,
            actor=by,
            kind=EventKind.CLOSED,
            from_value=Status.RESOLVED,
            to_value=Status.CLOSED,
        ),
    )
