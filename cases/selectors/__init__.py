"""Composite reads: home page, case page, customer profile, search, approvals, tasks and
health. All start from `visible_to(user)`, and each runs a fixed number of queries
whatever the row counts. One module per page or concept; every public name is
re-exported here, so `selectors.home_for(...)` works as before."""

from .approvals import APPROVALS_SHOWN, approval_queue, waiting_count
from .cases import (
    TIMELINE_ROWS,
    Timeline,
    case_list_queryset,
    case_policies,
    case_requests,
    case_tasks,
    case_timeline,
)
from .customers import PROFILE_ROWS, CustomerProfile, customer_profile
from .followups import TASK_LIMIT, TaskBoard, my_tasks, task_board, team_tasks
from .guidance import guidance_for
from .health import broker_status, health_report
from .home import AWAITING_ON_HOME, HOME_LIMIT, Home, failed_reminders, home_for
from .quick_logs import FilledQuickLog, quick_logs_for
from .search import (
    INTERACTION_HITS,
    SEARCH_LIMIT,
    SearchResults,
    cases_with_words,
    search,
    search_text,
)
from .studies import matching_studies
from .table_rows import case_list_rows
from .typeahead import (
    TYPEAHEAD_LIMIT,
    CustomerMatch,
    Typeahead,
    email_matches,
    name_matches,
    phone_matches,
    typeahead,
    with_latest_cases,
)

__all__ = [
    "FilledQuickLog",
    "quick_logs_for",
    "AWAITING_ON_HOME",
    "HOME_LIMIT",
    "INTERACTION_HITS",
    "PROFILE_ROWS",
    "SEARCH_LIMIT",
    "TASK_LIMIT",
    "TIMELINE_ROWS",
    "TYPEAHEAD_LIMIT",
    "CustomerMatch",
    "CustomerProfile",
    "Home",
    "SearchResults",
    "TaskBoard",
    "Timeline",
    "Typeahead",
    "APPROVALS_SHOWN",
    "approval_queue",
    "broker_status",
    "case_list_queryset",
    "case_list_rows",
    "case_policies",
    "case_requests",
    "case_tasks",
    "case_timeline",
    "cases_with_words",
    "customer_profile",
    "email_matches",
    "failed_reminders",
    "guidance_for",
    "health_report",
    "home_for",
    "matching_studies",
    "my_tasks",
    "name_matches",
    "phone_matches",
    "search",
    "search_text",
    "task_board",
    "team_tasks",
    "typeahead",
    "waiting_count",
    "with_latest_cases",
]
