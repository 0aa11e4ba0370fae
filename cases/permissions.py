"""Who may do what: one place that views, templates (the `casedesk` tags) and the API ask.

Pure functions over a user and an object; no queries beyond what the objects already
hold. Which status moves exist comes from `ALLOWED_TRANSITIONS` beside the services, so a
new move there shows or hides the right buttons without touching the pages. The services
still check for themselves (a stale page can post anything): these answers decide what a
page offers and which pages a role may open.
"""

from __future__ import annotations

from typing import Any

from .models import Case, ExceptionRequest, Role, Status
from .services import ALLOWED_TRANSITIONS
from .services import can_decide as _service_can_decide

# Every action the case page can offer; `allowed_actions` answers with a subset.
CASE_ACTIONS = (
    "log_interaction",
    "reassign",
    "triage",
    "attach_policy",
    "add_task",
    "request_exception",
    "resolve",
    "reopen",
    "mark_study",
)


def is_manager_or_admin(user: Any) -> bool:
    """Managers and admins: the approvals queue, team tasks, insights, case studies."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in {
        Role.MANAGER,
        Role.ADMIN,
    }


def can_see_insights(user: Any) -> bool:
    return is_manager_or_admin(user)


def can_see_team_tasks(user: Any) -> bool:
    return is_manager_or_admin(user)


def can_see_approvals(user: Any) -> bool:
    return is_manager_or_admin(user)


def can_act_in_bulk(user: Any) -> bool:
    """Managers and admins select cases in the case list and act on them at once."""
    return is_manager_or_admin(user)


def _next_statuses(status: str) -> set[str]:
    """Where a case in `status` can go with one action. The first action on a new case
    opens it on the way (the services move new → open first), so a new case can go
    wherever an open one can."""
    moves = set(ALLOWED_TRANSITIONS.get(status, set()))
    if status == Status.NEW:
        moves |= ALLOWED_TRANSITIONS[Status.OPEN]
    return moves


def can_work_on(user: Any, case: Case) -> bool:
    """Interactions, reassigning, triage, policies and tasks: until the case has no move
    left (closed). A case is only shown to users who may see it, so no role is needed."""
    return bool(ALLOWED_TRANSITIONS.get(case.status))


def can_request_exception(user: Any, case: Case) -> bool:
    """While the case is active: a case pending approval may take a second request."""
    return case.is_active


def can_resolve(user: Any, case: Case) -> bool:
    return Status.RESOLVED in _next_statuses(case.status)


def can_reopen(user: Any, case: Case) -> bool:
    """A settled case that may go back to open (resolved, not closed). A case pending
    approval also returns to open, but by the decision, not by reopening."""
    return not case.is_active and Status.OPEN in ALLOWED_TRANSITIONS.get(case.status, set())


def can_mark_study(user: Any, case: Case) -> bool:
    """Managers turn a settled case into a coaching example, once. The study is looked
    at last: for anyone else, or an active case, that costs no query."""
    return is_manager_or_admin(user) and not case.is_active and not hasattr(case, "study")


def can_decide(user: Any, exception_request: ExceptionRequest) -> bool:
    """Someone else, with the level the request needs, in the case's team (admins: any).
    The rule lives with the decision service, which enforces it; this is its public name."""
    return exception_request.is_pending and _service_can_decide(user, exception_request)


def can_withdraw(user: Any, exception_request: ExceptionRequest) -> bool:
    """Only the person who asked, while it waits."""
    return exception_request.is_pending and exception_request.requested_by_id == user.pk


def allowed_actions(user: Any, case: Case) -> frozenset[str]:
    """The actions the case page offers this user on this case (names in CASE_ACTIONS)."""
    actions: set[str] = set()
    if can_work_on(user, case):
        actions |= {"log_interaction", "reassign", "triage", "attach_policy", "add_task"}
    if can_request_exception(user, case):
        actions.add("request_exception")
    if can_resolve(user, case):
        actions.add("resolve")
    if can_reopen(user, case):
        actions.add("reopen")
    if can_mark_study(user, case):
        actions.add("mark_study")
    return frozenset(actions)
