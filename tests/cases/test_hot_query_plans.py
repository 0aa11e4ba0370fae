"""What the 1M-case benchmark found, kept: the hot pages' queries have indexes to use, and
the indexes they were given exist.

Untimed. On a few thousand generated cases PostgreSQL would happily scan small tables, so
each SELECT a page runs is planned again with sequential scans switched off: a big table
still scanned sequentially then has no index its WHERE or ORDER BY can use.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Customer, ExceptionRequest, Role, User
from tests.statements import written

pytestmark = [
    pytest.mark.postgres,
    # The data comes from generate_data, which needs a direct connection (not PgBouncer).
    pytest.mark.direct_db,
    pytest.mark.django_db(transaction=True),
]

BIG_TABLES = (
    "cases_case",
    "cases_interaction",
    "cases_caseevent",
    "cases_customer",
    "cases_exceptionrequest",
    "cases_followuptask",
    "cases_reminder",
    "cases_feedbackrequest",
)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")

# Indexes the benchmark showed the hot queries need (name: what it serves).
NEEDED = {
    "case_team_created_idx": "case list of a team, newest first, deep pages, surges",
    "case_created_idx": "admin's case list, newest first",
    "case_team_rank_idx": "case list by priority",
    "case_team_status_idx": "case list filtered by status",
    "case_mine_idx": "my cases on home",
    "case_mine_active_idx": "my active cases on home, by last activity, cut at 20",
    "case_unassigned_idx": "unassigned cases on the managers' home",
    "case_quiet_idx": "quiet cases on the managers' home",
    "event_case_idx": "a case's timeline",
    "interaction_case_idx": "a case's interactions; minutes per customer (insights)",
    "case_customer_idx": "a customer's cases, newest first",
    "case_customer_team_idx": "search as you type: has this customer a case in my teams?",
    "case_subject_fts": "search: words in subjects",
    "customer_phone_idx": "phone search and duplicate warnings: the full number (E.164)",
    "customer_phone_start_idx": "search as you type: a number typed from its start, in order",
    "customer_phone_suffix_idx": "phone search: the last digits (reversed digits, prefix)",
    "customer_email_idx": "email search and duplicate warnings, typed from the start",
    "customer_name_prefix_idx": "search as you type: the name starts with, in name order",
    "customer_surname_idx": "search as you type: the surname starts with, in order",
    "interaction_team_idx": "insights: a team's minutes per customer in a period",
    "request_team_idx": "insights: a team's exception requests in a period",
    "request_pending_team_idx": "a manager's approvals queue and badge: their teams' pending",
    "task_team_idx": "insights: a team's follow-through in a period",
    "reminder_team_idx": "insights: a team's reminders in a period",
    "feedback_team_sent_idx": "insights: a team's feedback requests planned in a period",
    "feedback_team_used_idx": "insights: a team's ratings given in a period",
}
# The (team, time) index insights read each table that hangs off a case through.
TEAM_INDEX = {
    "cases_interaction": "interaction_team_idx",
    "cases_exceptionrequest": "request_team_idx",
    "cases_followuptask": "task_team_idx",
    "cases_reminder": "reminder_team_idx",
    "cases_feedbackrequest": "feedback_team_(sent|used)_idx",
}


def plan_of(sql: str, params, *, generic: bool = True) -> str:
    """The plan of a captured query. An EXECUTE of a prepared statement (cases/selectors/
    prepared.py) is planned generic by default: the plan PostgreSQL keeps once it stops
    planning for the values (and custom with `generic=False`, the plan of its first runs)."""
    mode = "force_generic_plan" if generic else "force_custom_plan"
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"SET plan_cache_mode = {mode}")
        try:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET plan_cache_mode")


def is_select(sql: str) -> bool:
    # A UNION of parenthesised SELECTs starts with "(".
    return written(sql).lstrip("( ").upper().startswith("SELECT")


def sequential_scans(sql: str, params) -> set[str]:
    plans = [plan_of(sql, params)]
    if sql.startswith("EXECUTE"):
        plans.append(plan_of(sql, params, generic=False))
    return {table for plan in plans for table in SEQ_SCAN.findall(plan) if table in BIG_TABLES}


@pytest.fixture(autouse=True)
def statements_of_its_own(db):
    """Each test here prepares its statements afresh. One prepared by an earlier test on
    this connection keeps the generic plan PostgreSQL made then, on that test's few rows
    with sequential scans allowed, and EXPLAIN EXECUTE shows that plan: the home's cards
    failed here after tests/cases/test_query_counts.py, on code that passed alone."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    held = getattr(connection, "_casedesk_prepared", None)
    if held is not None:
        held.names.clear()


@pytest.fixture
def generated(category, guidance):
    from policies.defaults import CATEGORIES
    from policies.models import Category

    for slug, name in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})
    call_command("generate_data", cases=1500, teams=3, users=30, seed=5)


def pages(staff, manager):
    team_id = manager.team_ids()[0]
    case = Case.objects.filter(team_id=team_id).order_by("-id")[5]
    customer = Customer.objects.filter(team_id=team_id).order_by("id").first()
    pending = ExceptionRequest.objects.filter(case__team_id=team_id, status="pending").first()
    urls = [
        "/",
        "/cases/",
        "/cases/?page=40",
        "/cases/?status=open",
        f"/cases/?team={team_id}",
        "/cases/?o=-priority",
        f"/cases/?customer={customer.pk}",
        case.get_absolute_url(),
        f"/customers/{customer.pk}/",
        f"/search/?q={case.reference}",
        f"/search/?q={customer.email}",
        f"/search/?q=0{customer.phone_normalised[3:]}",  # the number in national form
        f"/search/suggest/?q=0{customer.phone_normalised[3:]}",
        f"/search/suggest/?q={customer.phone_normalised[-6:]}",
        f"/search/suggest/?q={customer.name[:3]}&list=case-customer",
        "/search/?q=refund",  # a common word: the walk down the newest cases
        "/search/?q=zeppelin",  # a word no case has: the full-text index as well
        "/approvals/",
        "/tasks/",
        "/tasks/team/",
    ]
    if pending:
        urls.append(pending.case.get_absolute_url())
    return [(staff, "/"), (staff, "/cases/"), (staff, "/tasks/")] + [(manager, u) for u in urls]


def test_hot_pages_have_an_index_for_every_query_on_a_big_table(generated, client):
    staff = User.objects.filter(role=Role.STAFF, username__startswith="gen-").first()
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    admin = User.objects.filter(role=Role.ADMIN, username__startswith="gen-").first()
    checked = 0
    for user, url in pages(staff, manager) + [(admin, "/cases/"), (admin, "/cases/?page=30")]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code in (200, 302), url  # a reference redirects
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not is_select(sql):
                continue
            assert sequential_scans(sql, None) == set(), f"{url}: {sql[:300]}"
            checked += 1
    # The pages really ran their queries (the session and the approvals badge come from
    # the cache after each person's first page, so fewer than there are page loads × 4).
    assert checked > 70


def test_the_indexes_the_benchmark_asked_for_exist(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        present = {row[0] for row in cursor.fetchall()}
    missing = {name: why for name, why in NEEDED.items() if name not in present}
    assert missing == {}


def customer_plans(user, typed: str) -> tuple[list[str], list]:
    """The plans of the queries on customers that search-as-you-type runs for `typed`, and
    the customers it found."""
    from cases import selectors

    with CaptureQueriesContext(connection) as ctx:
        found = [match.customer for match in selectors.typeahead(user, typed).customers]
    plans = [
        plan_of(query["sql"], None)
        for query in ctx.captured_queries
        # A UNION of parenthesised SELECTs starts with "(".
        if query["sql"].lstrip("( ").upper().startswith("SELECT")
        and 'FROM "cases_customer"' in query["sql"]
    ]
    return plans, found


def test_search_as_you_type_uses_an_index_for_phone_suffix_and_name_prefix(generated):
    """Not merely "no sequential scan": with those off, PostgreSQL would still walk the
    primary key and test every row. The plan must name the index made for the search."""
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    customer = Customer.objects.filter(team_id=manager.team_ids()[0]).order_by("id")[3]
    national = "0" + customer.phone_normalised[3:]  # +447700000004 -> 07700000004
    first_name, surname = customer.name.split()[0], customer.name.split()[-1]
    expected = {
        national: "customer_phone_idx",  # typed nationally: E.164 equality
        customer.phone_normalised[-6:]: "customer_phone_suffix_idx",  # the last six digits
        national[:8]: "customer_phone_start_idx",  # still typing: "07700000" is a start
        first_name[:3]: "customer_name_prefix_idx",
        surname[:3]: "customer_surname_idx",  # the name's last word
        customer.email[:12]: "customer_email_idx",  # "customer4@ex", typed from the start
    }
    for typed, index in expected.items():
        plans, found = customer_plans(manager, typed)
        assert customer in found or typed in (first_name[:3], surname[:3]), typed
        assert any(index in plan for plan in plans), f"{typed!r}: {plans}"
        for plan in plans:
            assert "Seq Scan on cases_customer" not in plan, f"{typed!r}: {plan}"


def test_search_as_you_type_stops_early_for_customers_seen_through_a_team_case(generated):
    """A start of a name, a surname or a number that many customers share ("Ale", "07700
    12") reads the index in order and stops at the limit: "has a case in my teams" is
    probed customer by customer (case_customer_team_idx), never a hashed subplan that
    reads every case of the teams first (50,000 at 1M cases: 90-120 ms a keystroke)."""
    staff = User.objects.filter(role=Role.STAFF, username__startswith="gen-").first()
    team_id = staff.team_ids()[0]
    # A customer registered by another team, visible to staff only through a case in
    # staff's team (generated cases are all in their customer's team: move one).
    seen = Customer.objects.exclude(team_id=team_id).order_by("id")[7]
    Case.objects.filter(pk=seen.cases.order_by("id").first().pk).update(team_id=team_id)
    national = "0" + seen.phone_normalised[3:]
    for typed in (seen.name[:3], seen.surname_key[:3].title(), national[:8]):
        plans, found = customer_plans(staff, typed)
        assert plans, typed
        for plan in plans:
            assert "hashed SubPlan" not in plan, f"{typed!r}: {plan}"
        assert any(
            "Nested Loop Semi Join" in plan and "case_customer_team_idx" in plan for plan in plans
        ), f"{typed!r}: {plans}"
    plans, found = customer_plans(staff, seen.name)
    assert seen in found  # and the split finds them as the OR did


def test_the_parts_of_a_customers_visibility_are_its_whole(generated):
    """Search as you type reads customers in two parts (registered by my teams; with a
    case in my teams): together exactly the customers visible_to gives, for every role."""
    for role in (Role.STAFF, Role.MANAGER, Role.ADMIN):
        user = User.objects.filter(role=role, username__startswith="gen-").order_by("id")[0]
        whole = set(Customer.objects.visible_to(user).values_list("pk", flat=True))
        parts = Customer.objects.visible_to_in_parts(user)
        union = set().union(*(set(part.values_list("pk", flat=True)) for part in parts))
        assert union == whole
        assert 0 < len(whole) <= Customer.objects.count()


def test_the_managers_home_reads_each_case_card_from_its_index(generated, client):
    """The three case cards come in one query, each branch from an index: my active cases
    by last activity from their partial index (at 1M cases, with the assignee-team
    statistics of migration 0020, walked in order and cut at 20)."""
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    client.force_login(manager)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    cards = [sql for sql in sqls if 'FROM "cases_case"' in written(sql)]
    cards = [sql for sql in cards if written(sql).lstrip().startswith("(SELECT")]
    assert len(cards) == 1
    # Prepared (cases/selectors/prepared.py): the plan it keeps and the plans of its first
    # runs, each a walk of the card's index.
    for plan in (plan_of(cards[0], None), plan_of(cards[0], None, generic=False)):
        assert "case_mine_active_idx" in plan, plan
        assert "Seq Scan on cases_case" not in plan, plan


def test_a_word_few_subjects_have_is_found_through_the_subject_index(generated, client):
    """Searching subjects newest first tested every case of the team for a rare word (0.9 s
    at 3M cases): after the person's newest cases, the subject index answers, and no
    subject query walks a team's cases in date order testing each."""
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/search/?q=zeppelin").status_code == 200
    subject_queries = [q["sql"] for q in ctx.captured_queries if "COALESCE(subject" in q["sql"]]
    subject_queries += [
        q["sql"] for q in ctx.captured_queries if 'COALESCE("cases_case"."subject"' in q["sql"]
    ]
    assert len(subject_queries) == 2, subject_queries
    plans = [plan_of(sql, None) for sql in subject_queries]
    assert any("case_subject_fts" in plan for plan in plans), plans
    for plan in plans:
        assert not re.search(r"Index Scan( Backward)? using case_team_created_idx", plan), plan


def test_a_rare_words_hits_are_looked_up_by_key(generated, client):
    """The capped hits of the subject and interaction indexes are looked up by the case's
    key, not hashed against every case of the team (9 ms at 1M for a word with 9 hits)."""
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/search/?q=zeppelin").status_code == 200
    capped = [q["sql"] for q in ctx.captured_queries if "ANY(ARRAY(" in q["sql"]]
    assert len(capped) == 2, capped  # subjects, then interactions
    for sql in capped:
        plan = plan_of(sql, None)
        assert re.search(r"Index Cond: \(+id = ANY \(", plan), plan
        assert "Hash" not in plan, plan


def test_a_managers_queue_reads_only_their_teams_pending_requests(generated, client):
    """The queue and its badge read the manager's teams' pending requests from their own
    index, not every team's pending requests joined to cases to find the team's."""
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    assert manager is not None
    queries = [
        ExceptionRequest.objects.decidable_by(manager).order_by("requested_at", "id")[:20],
        ExceptionRequest.objects.decidable_by(manager).values("id"),  # as the badge counts
    ]
    for queryset in queries:
        sql, params = queryset.query.sql_with_params()
        plan = plan_of(sql, params)
        assert re.search(r"request_pending_team_idx[^\n]*\n\s+Index Cond: \(team_id", plan), plan


def test_insights_read_a_teams_rows_from_its_team_index_not_through_the_cases(generated):
    """Reached through the case, each section joined every case of the team to the
    period's rows (0.56–1.3 s afresh at 1M cases); with the team on the row, each table
    that hangs off a case is read by its (team, time) index."""
    from cases import insights

    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    period = insights.Period.from_dates(
        timezone.localdate() - timedelta(days=89), timezone.localdate(), manager.team_ids()
    )
    with CaptureQueriesContext(connection) as ctx:
        insights.insights_for(period)
    read = set()
    for query in ctx.captured_queries:
        sql = query["sql"]
        # The table read, past any subquery on cases in the select list.
        table = next((t for t in re.findall(r'FROM "(\w+)"', sql) if t in TEAM_INDEX), None)
        if table is None:
            continue
        plan = plan_of(sql, None)
        # Its team index is used, and cases are reached (if at all) one by one by key.
        assert re.search(TEAM_INDEX[table], plan), f"{sql[:300]}\n{plan}"
        case_scans = re.findall(r"(?:using (\w+) )?on cases_case\b", plan)
        assert set(case_scans) <= {"cases_case_pkey", "case_id_team_key"}, f"{sql[:300]}\n{plan}"
        read.add(table)
    assert read == set(TEAM_INDEX)


def test_queries_planned_in_written_order_keep_their_index_walks(generated, client):
    """The managers' home and the approvals queue run with `join_collapse_limit = 1`
    (selectors/planning.py: planning eight tables took twice the running). Planned so, the
    cards still walk their indexes and the queue its teams' pending requests, and no big
    table is read sequentially."""
    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    client.force_login(manager)
    client.get("/")
    ran_in_order = []
    for url in ("/", "/approvals/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        sqls = [q["sql"] for q in ctx.captured_queries]
        start = sqls.index("SET LOCAL join_collapse_limit = 1") + 1
        # The home's block runs its three unions, the queue's block the queue.
        ran_in_order += sqls[start : start + (3 if url == "/" else 1)]
    tables = [re.match(r'\(?SELECT "(\w+)"', written(sql)).group(1) for sql in ran_in_order]
    assert tables == [
        "cases_case",
        "cases_followuptask",
        "cases_exceptionrequest",
        "cases_exceptionrequest",
    ]
    assert all(sql.startswith("EXECUTE") for sql in ran_in_order), ran_in_order  # prepared
    # The plan each prepared statement keeps (generic), and the plans of its first runs.
    for generic in (True, False):
        plans = [plan_in_written_order(sql, generic=generic) for sql in ran_in_order]
        assert "case_mine_active_idx" in plans[0], plans[0]
        queue = plans[3]
        assert re.search(r"request_pending_team_idx[^\n]*\n\s+Index Cond: \(team_id", queue), queue
        for sql, plan in zip(ran_in_order, plans, strict=True):
            assert {t for t in SEQ_SCAN.findall(plan) if t in BIG_TABLES} == set(), (sql, plan)


def plan_in_written_order(sql: str, *, generic: bool) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET join_collapse_limit = 1")
        try:
            return plan_of(sql, None, generic=generic)
        finally:
            cursor.execute("RESET join_collapse_limit")


def test_the_lookups_by_key_behind_every_detail_and_action_read_one_row_by_its_index(generated):
    """get_customer_for, get_request_for and get_task_for are compiled and prepared
    (cases/access.py): their kept plan and their first custom ones find the row by its
    primary key, whoever asks (a manager's visibility is an EXISTS on the team's cases)."""
    from cases.access import get_customer_for, get_request_for, get_task_for
    from cases.models import FollowUpTask

    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").earliest("id")
    team_id = manager.team_ids()[0]
    lookups = [
        (get_customer_for, Customer.objects.filter(team_id=team_id).first(), "cases_customer"),
        (get_request_for, ExceptionRequest.objects.filter(case__team_id=team_id).first(),
         "cases_exceptionrequest"),
        (get_task_for, FollowUpTask.objects.filter(case__team_id=team_id).first(),
         "cases_followuptask"),
    ]  # fmt: skip
    for lookup, row, table in lookups:
        with CaptureQueriesContext(connection) as ctx:
            assert lookup(manager, row.pk).pk == row.pk
        (sql,) = [q["sql"] for q in ctx.captured_queries if is_select(q["sql"])]
        assert sql.startswith("EXECUTE"), sql  # kept prepared
        for plan in (plan_of(sql, None), plan_of(sql, None, generic=False)):
            assert f"Index Scan using {table}_pkey" in plan, plan
        assert sequential_scans(sql, None) == set()
