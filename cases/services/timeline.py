"""The case's timeline and its status moves, shared by every service module.

Every service writes its timeline event(s) with `record_event` in its own transaction, and
moves a case's status only through `move_status`: a conditional update that refuses a
move `ALLOWED_TRANSITIONS` does not list, and a case someone else moved first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext, pgettext

from webhooks.emit import on_case_event

from ..models import Case, CaseEvent, EventKind, ExceptionRequest, Interaction, Status, User
from .errors import InvalidTransition

# Which status moves exist (PRODUCT.md, "Case life"). Anything else is refused.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN},
    Status.OPEN: {Status.PENDING_APPROVAL, Status.RESOLVED},
    Status.PENDING_APPROVAL: {Status.OPEN},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


def record_event(
    case: Case,
    *,
    actor: User | None,
    kind: str,
    from_value: str = "",
    to_value: str = "",
    note: str = "",
    interaction: Interaction | None = None,
    exception_request: ExceptionRequest | None = None,
    task: Any = None,
) -> CaseEvent:
    """Append one event to the case's timeline (events are never edited)."""
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        note=note,
        interaction=interaction,
        exception_request=exception_request,
        task=task,
    )
    on_case_event(event)  # webhooks: the deliveries it owes, in this same transaction
    return event


def record_events(events: list[CaseEvent]) -> list[CaseEvent]:
    """Append many events in one INSERT (bulk actions): the same rows `record_event` writes,
    one per change per case, whatever the number of cases. Each is handed to the webhooks
    hook as record_event does (no query unless an endpoint subscribes to its type)."""
    created = CaseEvent.objects.bulk_create(events)
    for event in created:
        on_case_event(event)
    return created


def move_status(case: Case, *, from_: str, to: str, now: datetime, **fields: object) -> None:
    """Move the case from `from_` to `to` if it is still `from_`; refuse otherwise.

    An explicit check, not an `assert`: `python -O` strips asserts, and a move the map does
    not list must be refused in production too.
    """
    if to not in ALLOWED_TRANSITIONS.get(from_, set()):
        raise InvalidTransition(
            gettext("A case cannot move from %(from)s to %(to)s.") % {"from": from_, "to": to}
        )
    changed = Case.objects.filter(pk=case.pk, status=from_).update(
        status=to, updated_at=now, last_activity_at=now, **fields
    )
    if changed != 1:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        label = Status(current).label.lower() if current else pgettext("case status", "gone")
        raise InvalidTransition(
            # Translators: both are case statuses, e.g. "This case is closed; it cannot
            # become Resolved." (the first in lower case).
            gettext("This case is %(current)s; it cannot become %(target)s.")
            % {"current": label, "target": Status(to).label}
        )
    case.refresh_from_db()


def open_if_new(case: Case, *, by: User | None, now: datetime) -> None:
    """A new case becomes open on its first real step (an interaction, a resolution, an
    exception request), with the move on its timeline."""
    if case.status == Status.NEW:
        move_status(case, from_=Status.NEW, to=Status.OPEN, now=now)
        record_event(
            case, actor=by, kind=EventKind.STATUS, from_value=Status.NEW, to_value=Status.OPEN
        )
