"""Every write goes through here: `from cases import services; services.resolve_case(…)`.

One module per concept (`cases`, `customers`, `exceptions`, `followups`, `reminders`);
below them all, and importing none of them: `errors` (domain errors), `timeline` (events
and status moves), `teams` (who can take work) and `dispatch` (Celery tasks by name, after
commit). Services never import `cases.tasks`.
"""

from .bulk import BulkRefused, BulkResult, bulk_assign, bulk_close, bulk_set_priority
from .cases import (
    close_quiet_cases,
    log_interaction,
    mark_case_study,
    open_case,
    reassign_case,
    reopen_case,
    resolve_case,
    update_triage,
)
from .customers import create_customer, open_case_for_new_customer, update_customer
from .errors import CaseError, CustomerErased, InvalidTransition, NotAllowed
from .exceptions import (
    AlreadyDecided,
    Decision,
    attach_policy,
    can_decide,
    decide_exception,
    request_exception,
    required_level,
    withdraw_exception,
)
from .followups import (
    FeedbackClosed,
    TaskAlreadyClosed,
    add_task,
    apply_follow_up_rules,
    cancel_task,
    complete_task,
    find_feedback,
    local_due,
    queue_customer_update,
    reschedule_task,
    schedule_feedback,
    submit_feedback,
)
from .outcomes import outcome_phrase
from .preferences import set_keyboard_shortcuts, set_language
from .reminders import send_due_reminders
from .teams import can_assign
from .timeline import ALLOWED_TRANSITIONS, move_status, record_event

__all__ = [
    "BulkRefused",
    "BulkResult",
    "bulk_assign",
    "bulk_close",
    "bulk_set_priority",
    "FeedbackClosed",
    "TaskAlreadyClosed",
    "add_task",
    "apply_follow_up_rules",
    "cancel_task",
    "complete_task",
    "find_feedback",
    "local_due",
    "queue_customer_update",
    "reschedule_task",
    "schedule_feedback",
    "send_due_reminders",
    "submit_feedback",
    "ALLOWED_TRANSITIONS",
    "AlreadyDecided",
    "Decision",
    "can_decide",
    "CaseError",
    "CustomerErased",
    "InvalidTransition",
    "NotAllowed",
    "attach_policy",
    "can_assign",
    "close_quiet_cases",
    "create_customer",
    "decide_exception",
    "outcome_phrase",
    "log_interaction",
    "move_status",
    "record_event",
    "mark_case_study",
    "open_case",
    "open_case_for_new_customer",
    "reassign_case",
    "reopen_case",
    "request_exception",
    "required_level",
    "resolve_case",
    "set_keyboard_shortcuts",
    "set_language",
    "update_customer",
    "update_triage",
    "withdraw_exception",
]
