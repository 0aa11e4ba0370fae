"""Composite reads: home page, case page, customer profile, search. All start from
`visible_to(user)`, and each runs a fixed number of queries whatever the row counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from policies.models import DemeanourGuidance

from .models import (
    ACTIVE_STATUSES,
    Case,
    CaseEvent,
    Customer,
    EventKind,
    FeedbackRequest,
    Interaction,
    Role,
    Status,
    User,
    normalise_email,
    normalise_phone,
    parse_reference,
)

HOME_LIMIT = 20
SEARCH_LIMIT = 20
INTERACTION_HITS = 500


def case_list_queryset(user: User) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("customer", "team", "category", "assignee")


@dataclass
class Home:
    my_cases: list[Case]
    unassigned: list[Case] = field(default_factory=list)
    stale: list[Case] = field(default_factory=list)
    is_manager: bool = False
    tasks: Any = None
    team_overdue: list[Any] = field(default_factory=list)
    surges: list[Any] = field(default_factory=list)
    failed_reminders: list[Any] = field(default_factory=list)
    my_requests: list[Any] = field(default_factory=list)
    awaiting_me: list[Any] = field(default_factory=list)


AWAITING_ON_HOME = 5


def home_for(user: User) -> Home:
    """My open cases by last activity, my tasks and my exception requests still waiting;
    for managers also the oldest requests they can decide, and their teams' unassigned
    cases, overdue follow-ups and stale cases."""
    from .models import ExceptionRequest, RequestStatus

    base = case_list_queryset(user)
    mine = list(
        base.filter(assignee=user, status__in=ACTIVE_STATUSES).order_by("-last_activity_at")[
            :HOME_LIMIT
        ]
    )
    home = Home(my_cases=mine, is_manager=user.role in {Role.MANAGER, Role.ADMIN})
    home.tasks = my_tasks(user, upcoming=False)
    home.failed_reminders = failed_reminders(user)
    home.my_requests = list(
        ExceptionRequest.objects.visible_to(user)
        .filter(requested_by=user, status=RequestStatus.PENDING)
        .select_related("case")
        .order_by("requested_at", "id")[:HOME_LIMIT]
    )
    if home.is_manager:
        home.awaiting_me = list(
            ExceptionRequest.objects.decidable_by(user)
            .select_related("case", "requested_by")
            .order_by("requested_at", "id")[:AWAITING_ON_HOME]
        )
        team_cases = base if user.role == Role.ADMIN else base.filter(team_id__in=user.team_ids())
        home.unassigned = list(
            team_cases.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES).order_by(
                "created_at"
            )[:HOME_LIMIT]
        )
        stale_before = timezone.now() - timedelta(days=settings.CASEDESK_STALE_DAYS)
        # Only the overdue ones show here: leave the team's upcoming tasks unread.
        home.team_overdue = [
            t for t in team_tasks(user, upcoming=False).overdue if t.assignee_id != user.pk
        ]
        from .insights import surges, teams_for

        home.surges = surges(list(teams_for(user).values_list("id", flat=True)))
        home.stale = list(
            team_cases.filter(
                status__in=[Status.OPEN, Status.PENDING_APPROVAL],
                last_activity_at__lt=stale_before,
            ).order_by("last_activity_at")[:HOME_LIMIT]
        )
    return home


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
    events = case.events.select_related("actor", "interaction", "exception_request").order_by(
        "-created_at", "-id"
    )
    anchor = None
    if before is not None:
        anchor = case.events.filter(pk=before).values_list("created_at", flat=True).first()
        if anchor is not None:
            events = events.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, id__lt=before))
    rows = list(events[: limit + 1])
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


GUIDANCE_CACHE_SECONDS = 300


def guidance_key(demeanour: str) -> str:
    return f"casedesk:guidance:{demeanour}"


def guidance_for(demeanour: str) -> DemeanourGuidance | None:
    """The card for a demeanour. Cached: it is on every case page and changes rarely; an
    edit clears it here at once, other processes within GUIDANCE_CACHE_SECONDS."""
    from django.core.cache import cache

    return cache.get_or_set(
        guidance_key(demeanour),
        lambda: DemeanourGuidance.objects.filter(demeanour=demeanour).first(),
        GUIDANCE_CACHE_SECONDS,
    )


@dataclass
class CustomerProfile:
    customer: Customer
    cases: list[Case]
    interactions: list[Interaction]
    minutes_12m: int
    interactions_12m: int
    cases_12m: int
    ledger: list[Any] = field(default_factory=list)
    granted_value_12m: Any = 0
    ratings: list[Any] = field(default_factory=list)
    limit: int = 0


# Latest cases and interactions on the profile; all of a customer's cases are one click
# away in the case list. Rendering 50 of each was most of a demanding customer's profile.
PROFILE_ROWS = 20


def customer_profile(
    user: User, customer: Customer, *, limit: int = PROFILE_ROWS
) -> CustomerProfile:
    """The customer's visible cases and interactions, and what they cost over 12 months.

    The visible case ids come first, in one query; the totals, cases, ledger and rating are
    asked by those ids. A plain IN list compiles and plans in a fraction of the time the
    visibility subquery took when repeated in each query, and a customer with no case we
    may see costs nothing more.
    """
    from .models import GRANTED_STATUSES, ExceptionRequest

    since = timezone.now() - timedelta(days=365)
    visible = list(
        Case.objects.visible_to(user).filter(customer=customer).values_list("id", "created_at")
    )
    profile = CustomerProfile(
        customer=customer,
        cases=[],
        interactions=[],
        minutes_12m=0,
        interactions_12m=0,
        cases_12m=sum(1 for _, created in visible if created >= since),
        granted_value_12m=Decimal("0.00"),
        limit=limit,
    )
    ids = [pk for pk, _ in visible]
    if not ids:
        return profile
    interactions = Interaction.objects.filter(case_id__in=ids)
    totals = interactions.filter(occurred_at__gte=since).aggregate(
        minutes=Sum("minutes"), count=Count("id")
    )
    profile.minutes_12m = totals["minutes"] or 0
    profile.interactions_12m = totals["count"] or 0
    profile.cases = list(
        Case.objects.filter(pk__in=ids)
        .select_related("customer", "team", "category", "assignee")
        .order_by("-created_at", "-id")[:limit]
    )
    # From their cases, not by the id list: given a long IN list PostgreSQL walks every
    # interaction newest first looking for 20 of theirs (0.5 s for a customer with 170
    # cases); from the customer's cases it reads only theirs.
    their_cases = Case.objects.visible_to(user).filter(customer=customer)
    profile.interactions = list(
        Interaction.objects.filter(case__in=their_cases)
        .select_related("case", "author")
        .order_by("-occurred_at", "-id")[:limit]
    )
    requests = ExceptionRequest.objects.filter(case_id__in=ids)
    profile.ledger = list(  # every exception asked for them, newest first
        requests.select_related(
            "case", "requested_by", "decided_by", "policy_version__policy"
        ).order_by("-requested_at", "-id")[: 2 * limit]
    )
    granted = requests.filter(status__in=GRANTED_STATUSES, requested_at__gte=since).aggregate(
        total=Sum("granted_value")
    )["total"]
    profile.granted_value_12m = granted or Decimal("0.00")
    rated = FeedbackRequest.objects.filter(case_id__in=ids, rating__isnull=False)
    profile.ratings = list(rated.order_by("-used_at")[:1])  # the profile shows the latest
    return profile


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
    phone = normalise_phone(query)
    if "@" in query:
        customer_q = Q(email_normalised=normalise_email(query))
    elif len(phone.lstrip("+")) >= 6 and len(phone.lstrip("+")) >= len(query) // 2:
        customer_q = Q(phone_normalised=phone)
    else:
        customer_q = Q(name__icontains=query)
    results.customers = list(customers.filter(customer_q).order_by("name")[:SEARCH_LIMIT])
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
        from django.contrib.postgres.search import SearchQuery, SearchVector
        from django.db.models.expressions import RawSQL

        words = SearchQuery(query, config="english", search_type="websearch")
        by_subject = list(
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


def health_report() -> dict[str, Any]:
    """Database and broker reachable; the worker beating; reminders not piling up.

    Unhealthy (503) when the database or broker is down, or a due reminder has waited
    longer than CASEDESK_HEALTH_STALE_SECONDS.
    """
    from .models import Heartbeat
    from .services.reminders import oldest_due_age

    report: dict[str, Any] = {"ok": True}
    try:
        beat = Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
        report["database"] = "ok"
        report["worker_heartbeat_age_seconds"] = (
            (timezone.now() - beat).total_seconds() if beat else None
        )
        age = oldest_due_age()
        report["oldest_due_reminder_age_seconds"] = age
        if age is not None and age > settings.CASEDESK_HEALTH_STALE_SECONDS:
            report["ok"] = False
            report["reminders"] = "stale"
    except Exception as error:  # any database failure makes the service unhealthy
        return {"ok": False, "database": f"error: {type(error).__name__}"}
    report["broker"] = broker_status()
    if report["broker"] != "ok":
        report["ok"] = False
    return report


def broker_status() -> str:
    from casedesk.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # unreachable broker, bad URL, refused connection
        return f"error: {type(error).__name__}"
    return "ok"


def case_policies(case: Case) -> list[Any]:
    """The policies involved, each with the version (and wording) pinned on the case."""
    from .models import CasePolicy

    return list(
        CasePolicy.objects.filter(case=case)
        .select_related("policy", "policy_version__policy")
        .order_by("attached_at", "id")
    )


def case_requests(case: Case) -> list[Any]:
    from .models import ExceptionRequest

    return list(
        ExceptionRequest.objects.filter(case=case)
        .select_related("requested_by", "decided_by", "policy_version__policy")
        .order_by("-requested_at", "-id")
    )


def _customer_history() -> dict[str, Any]:
    """Annotations for a request row: its customer's granted exceptions over 12 months
    and open cases — subqueries, so the queue stays one query however long it is."""
    from django.db.models import DecimalField, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .models import GRANTED_STATUSES, ExceptionRequest

    since = timezone.now() - timedelta(days=365)
    granted = ExceptionRequest.objects.filter(
        case__customer_id=OuterRef("case__customer_id"),
        status__in=GRANTED_STATUSES,
        requested_at__gte=since,
    ).values("case__customer_id")
    open_cases = (
        Case.objects.filter(customer_id=OuterRef("case__customer_id"), status__in=ACTIVE_STATUSES)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return {
        "granted_count_12m": Coalesce(
            Subquery(granted.annotate(n=Count("id")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        "granted_value_12m": Coalesce(
            Subquery(granted.annotate(s=Sum("granted_value")).values("s"), output_field=money),
            Value(0, output_field=money),
        ),
        "open_cases": Coalesce(Subquery(open_cases, output_field=IntegerField()), Value(0)),
    }


def approval_queue(user: User) -> list[Any]:
    """Requests this user may decide, oldest first, with the customer's history."""
    from .models import ExceptionRequest

    return list(
        ExceptionRequest.objects.decidable_by(user)
        .select_related(
            "case", "case__customer", "case__team", "requested_by", "policy_version__policy"
        )
        .annotate(**_customer_history())
        .order_by("requested_at", "id")
    )


def waiting_count(user: User) -> int:
    from .models import ExceptionRequest

    return ExceptionRequest.objects.decidable_by(user).count()


@dataclass
class TaskBoard:
    overdue: list[Any]
    today: list[Any]
    upcoming: list[Any]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


TASK_LIMIT = 200


def task_board(tasks: QuerySet[Any], *, upcoming: bool = True) -> TaskBoard:
    """Open tasks split into overdue, due today (local day) and upcoming, by due time."""
    from .models import TaskStatus

    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    rows = tasks.filter(status=TaskStatus.OPEN).select_related("case", "case__customer", "assignee")
    if not upcoming:
        rows = rows.filter(due_at__lte=end_of_today)
    board = TaskBoard(overdue=[], today=[], upcoming=[])
    for task in rows.order_by("due_at", "id")[:TASK_LIMIT]:
        if task.due_at < now:
            board.overdue.append(task)
        elif task.due_at <= end_of_today:
            board.today.append(task)
        else:
            board.upcoming.append(task)
    return board


def my_tasks(user: User, *, upcoming: bool = True) -> TaskBoard:
    from .models import FollowUpTask

    return task_board(
        FollowUpTask.objects.visible_to(user).filter(assignee=user), upcoming=upcoming
    )


def team_tasks(user: User, *, upcoming: bool = True) -> TaskBoard:
    from .models import FollowUpTask

    tasks = FollowUpTask.objects.visible_to(user)
    if user.role != Role.ADMIN:
        tasks = tasks.filter(case__team_id__in=user.team_ids())
    return task_board(tasks, upcoming=upcoming)


def case_tasks(case: Case) -> list[Any]:
    return list(case.tasks.select_related("assignee", "completed_by").order_by("status", "due_at"))


def failed_reminders(user: User) -> list[Any]:
    """Reminders that could not be sent, for admins to act on."""
    from .models import Reminder, ReminderState

    if user.role != Role.ADMIN:
        return []
    return list(
        Reminder.objects.filter(state=ReminderState.FAILED)
        .select_related("case")
        .order_by("-due_at")[:50]
    )


def matching_studies(user: User, case: Case, *, limit: int = 5) -> list[Any]:
    """Worked examples for a case like this one: same category and demeanour."""
    from .models import CaseStudy

    return list(
        CaseStudy.objects.visible_to(user)
        .filter(category_id=case.category_id, demeanour=case.demeanour)
        .exclude(case=case)
        .select_related("case")
        .order_by("-created_at")[:limit]
    )


def search_text(request: Any) -> str:
    """The `q` parameter as safe text: NUL bytes (which PostgreSQL refuses) dropped, 200
    characters at most."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:200]
