"""The `cases` app's models, one module per domain concept; every public name is
re-exported here, so `from cases.models import Case` works as before.

Imports run one way: people ← cases ← customers and everything else that hangs off a
case. A case names its customer by string, so that customers.py may import cases.py.
"""

from .cases import (
    ACTIVE_STATUSES,
    PRIORITY_RANK,
    REFERENCE_RE,
    Case,
    CaseQuerySet,
    CaseScopedQuerySet,
    Channel,
    Outcome,
    Priority,
    Status,
    format_reference,
    parse_reference,
)
from .customers import (
    DANGER_FLAGS,
    FLAG_REASON_NEEDED,
    Customer,
    CustomerFlag,
    CustomerFlagNote,
    CustomerQuerySet,
    flag_labels,
    normalise_email,
    normalise_phone,
)
from .events import CaseEvent, EventKind
from .exceptions import (
    DECIDED_STATUSES,
    GRANTED_STATUSES,
    ROLE_LEVEL,
    CasePolicy,
    ExceptionRequest,
    ExceptionRequestQuerySet,
    Level,
    RequestStatus,
)
from .feedback import FeedbackRequest
from .followups import FollowUpTask, TaskKind, TaskStatus
from .health import Heartbeat
from .interactions import Direction, Interaction
from .people import Role, Team, User, visible_teams
from .reminders import Reminder, ReminderKind, ReminderState
from .studies import CaseStudy, StudyKind

__all__ = [
    "ACTIVE_STATUSES",
    "DANGER_FLAGS",
    "FLAG_REASON_NEEDED",
    "DECIDED_STATUSES",
    "GRANTED_STATUSES",
    "PRIORITY_RANK",
    "REFERENCE_RE",
    "ROLE_LEVEL",
    "Case",
    "CaseEvent",
    "CasePolicy",
    "CaseQuerySet",
    "CaseScopedQuerySet",
    "CaseStudy",
    "Channel",
    "Customer",
    "CustomerFlag",
    "CustomerFlagNote",
    "CustomerQuerySet",
    "Direction",
    "EventKind",
    "ExceptionRequest",
    "ExceptionRequestQuerySet",
    "FeedbackRequest",
    "FollowUpTask",
    "Heartbeat",
    "Interaction",
    "Level",
    "Outcome",
    "Priority",
    "Reminder",
    "ReminderKind",
    "ReminderState",
    "RequestStatus",
    "Role",
    "Status",
    "StudyKind",
    "TaskKind",
    "TaskStatus",
    "Team",
    "User",
    "flag_labels",
    "format_reference",
    "normalise_email",
    "normalise_phone",
    "parse_reference",
    "visible_teams",
]
