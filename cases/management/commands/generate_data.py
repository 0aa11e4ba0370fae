"""Fill a PostgreSQL database with realistic CaseDesk data at scale, fast and repeatably.

    manage.py generate_data --cases 1000000 --seed 7

Shapes: ~20 teams, ~500 users, ~300k customers (a few very demanding ones), about five
interactions per case (a few cases with hundreds), exception requests on ~10% of cases,
follow-up tasks with reminders, feedback on some, three years of dates with a seasonal
surge per category. Rows go in with COPY in chunks; secondary indexes are dropped for
the load and rebuilt after, which is much faster than maintaining them row by row.
"""

from __future__ import annotations

import io
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from casedesk.languages import customer_default
from cases.models import (
    PRIORITY_RANK,
    Case,
    CaseEvent,
    Customer,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Interaction,
    Reminder,
    Role,
    Team,
    User,
)
from policies.models import AllowedException, Category

CHUNK = 20_000
TABLES = [
    Customer,
    Case,
    Interaction,
    ExceptionRequest,
    FollowUpTask,
    Reminder,
    FeedbackRequest,
    CaseEvent,
]
CHANNELS = ["in_person", "phone", "email", "chat", "social"]
DEMEANOURS = (
    ["calm"] * 10
    + ["angry"] * 4
    + ["indecisive"] * 2
    + ["unreasonable"] * 2
    + [
        "passive_aggressive",
        "abusive",
    ]
)
PRIORITIES = ["low"] * 2 + ["normal"] * 6 + ["high"] * 2 + ["urgent"]
OUTCOMES = (
    ["within_policy"] * 4
    + ["compromise"] * 3
    + ["exception_granted"] * 2
    + [
        "policy_upheld",
        "referred",
        "disengaged",
    ]
)
FIRST = [
    "Alex",
    "Sam",
    "Priya",
    "Jordan",
    "Morgan",
    "Avery",
    "Dana",
    "Marcus",
    "Helen",
    "Tom",
    "Grace",
    "Noah",
    "Mia",
    "Leo",
    "Ava",
    "Omar",
    "Zoe",
    "Ivan",
    "Lena",
    "Kofi",
]
LAST = [
    "Smith",
    "Jones",
    "Patel",
    "Okafor",
    "Chen",
    "Garcia",
    "Muller",
    "Rossi",
    "Nowak",
    "Silva",
    "Kim",
    "Brown",
    "Taylor",
    "Evans",
    "Khan",
    "Lindqvist",
    "Varga",
    "Bell",
    "Osei",
    "Achterberg",
]
THINGS = [
    "fridge",
    "sofa",
    "laptop",
    "kettle",
    "jacket",
    "phone",
    "washer",
    "dryer",
    "mattress",
    "television",
    "blender",
    "bicycle",
    "oven",
    "heater",
    "printer",
]
PROBLEMS = [
    "arrived damaged",
    "refund refused",
    "charged twice",
    "return past 30 days",
    "diagnostic fee disputed",
    "delivery missed",
    "stopped working",
    "wrong size",
    "restocking fee",
    "warranty claim declined",
    "price match request",
    "late installation",
]
WORDS = [
    "customer",
    "asked",
    "about",
    "the",
    "order",
    "again",
    "and",
    "wanted",
    "a",
    "refund",
    "or",
    "store",
    "credit",
    "explained",
    "policy",
    "offered",
    "options",
    "agreed",
    "to",
    "call",
    "back",
]
RARE = "zeppelin"  # a word in a handful of cases, for the rare-word search benchmark
# Seasonal surge: each category peaks in its own month (delivery in December, returns in
# January…), so complaint charts and the surge alert have something to find.
PEAK_MONTH = {0: 1, 1: 1, 2: 3, 3: 6, 4: 12, 5: 8, 6: 11, 7: 4}


def _language_of(customer_id: int) -> str:
    """One customer in ten Polish, one in twenty Spanish, the rest the default."""
    if customer_id % 10 == 3:
        return "pl"
    return "es" if customer_id % 20 == 7 else customer_default()


def _copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY rows (tuples in column order) into table; None is NULL."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buffer
        )


def _copy_on_case(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], team_of: dict[int, int]
) -> None:
    """COPY rows that hang off a case, with the case's team added (models/case_team.py)."""
    at = columns.index("case_id")
    _copy(table, [*columns, "team_id"], [(*row, team_of[row[at]]) for row in rows])


def _ts(moment: datetime) -> str:
    return moment.isoformat()


class Command(BaseCommand):
    help = "Generate a large realistic dataset (PostgreSQL only, COPY-based)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=None, help="Default: 30%% of cases.")
        parser.add_argument("--teams", type=int, default=20)
        parser.add_argument("--users", type=int, default=500)
        parser.add_argument("--years", type=float, default=3.0)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_data needs PostgreSQL (set DATABASE_URL).")
        if settings.DATABASE_POOLER:
            # Session settings (replication role, maintenance memory) and VACUUM do not
            # survive a transaction-mode pooler: they would leak onto other clients' server
            # connections, or fail.
            raise CommandError(
                "generate_data needs a direct connection: point DATABASE_URL at PostgreSQL "
                "itself, not PgBouncer, and unset DATABASE_POOLER."
            )
        self.rng = random.Random(options["seed"])
        started = time.monotonic()
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.start = self.now - timedelta(days=365 * options["years"])
        n_cases = options["cases"]
        n_customers = options["customers"] or max(n_cases * 3 // 10, 10)
        self._reset()
        self._people(options["teams"], options["users"])
        self._library()
        indexes = self._drop_indexes()
        try:
            with connection.cursor() as cursor:
                # Skip per-row foreign-key triggers during the load: the rows are generated
                # consistent (ids handed out here), and tests check no row dangles.
                cursor.execute("SET session_replication_role = replica")
            # Its own generator: teams and users may already exist from an earlier run, and
            # the rows must not depend on that.
            self.rng = random.Random(options["seed"] * 1_000_003 + 1)
            self._customers(n_customers)
            self._cases(n_cases, n_customers)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
            self._restore_indexes(indexes)
        self._sequences()
        with connection.cursor() as cursor:
            # VACUUM as well: it sets the visibility map, as autovacuum would have on a
            # database that grew over years, so index-only scans work as they would there.
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"{n_cases:,} cases, {self.counts['interactions']:,} interactions, "
                f"{self.counts['events']:,} events, {self.counts['requests']:,} exception "
                f"requests, {self.counts['tasks']:,} tasks in {time.monotonic() - started:.0f} s"
            )
        )

    # Setup ------------------------------------------------------------------------------

    def _reset(self) -> None:
        """Start from empty case data (teams, users and the library are kept and reused)."""
        tables = ", ".join(model._meta.db_table for model in TABLES)
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {tables}, cases_casepolicy, cases_casestudy RESTART IDENTITY CASCADE"
            )
        self.counts = dict.fromkeys(["interactions", "events", "requests", "tasks"], 0)
        self.ids = dict.fromkeys(
            ["interaction", "event", "request", "task", "reminder", "feedback"], 0
        )

    @transaction.atomic
    def _people(self, n_teams: int, n_users: int) -> None:
        zones = ["Europe/London"] * 6 + ["Europe/Dublin", "America/New_York", "Europe/Berlin"]
        teams = [
            Team.objects.get_or_create(
                name=f"Store {i + 1:02d}", defaults={"time_zone": self.rng.choice(zones)}
            )[0]
            for i in range(n_teams)
        ]
        password = make_password("casedesk-bench")
        existing = set(
            User.objects.filter(username__startswith="gen-").values_list("username", flat=True)
        )
        new = []
        for i in range(n_users):
            username = f"gen-{i:04d}"
            if username in existing:
                continue
            role = Role.ADMIN if i < 3 else Role.MANAGER if i % 25 in (1, 2) else Role.STAFF
            new.append(
                User(
                    username=username,
                    password=password,
                    role=role,
                    first_name=self.rng.choice(FIRST),
                    last_name=self.rng.choice(LAST),
                    email=f"{username}@casedesk.example.com",
                    is_staff=role == Role.ADMIN,
                    is_superuser=role == Role.ADMIN,
                )
            )
        User.objects.bulk_create(new)
        users = list(User.objects.filter(username__startswith="gen-").order_by("username"))
        through = User.teams.through
        through.objects.filter(user__in=users).delete()
        links = []
        self.members: dict[int, list[int]] = {team.pk: [] for team in teams}
        self.managers: dict[int, list[int]] = {team.pk: [] for team in teams}
        for index, user in enumerate(users):
            if user.role == Role.ADMIN:
                continue
            team = teams[index % n_teams]
            links.append(through(user_id=user.pk, team_id=team.pk))
            self.members[team.pk].append(user.pk)
            if user.role == Role.MANAGER:
                self.managers[team.pk].append(user.pk)
        through.objects.bulk_create(links)
        self.teams = [team.pk for team in teams]
        self.admin_id = users[0].pk

    def _library(self) -> None:
        categories = list(Category.objects.order_by("id").values_list("id", flat=True))
        if not categories:
            raise CommandError("No categories: run migrate first.")
        self.categories = categories
        if not AllowedException.objects.exists():
            from policies import services as policy_services

            policy_services.install_default_library(
                by=User.objects.get(pk=self.admin_id), effective_from=date(2023, 1, 1)
            )
        self.offered = list(
            AllowedException.objects.select_related("policy").values(
                "id",
                "name",
                "kind",
                "staff_limit",
                "manager_limit",
                "max_value",
                "policy__current_version_id",
            )
        )

    # Indexes ----------------------------------------------------------------------------

    def _drop_indexes(self) -> list[str]:
        """Drop the secondary indexes of the loaded tables; return how to recreate them."""
        tables = [model._meta.db_table for model in TABLES]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = ANY(%s) AND i.schemaname = 'public'
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
                  )
                """,
                [tables],
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in found]

    def _restore_indexes(self, definitions: list[str]) -> None:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for definition in definitions:
                cursor.execute(definition)
        self.stdout.write(
            f"  rebuilt {len(definitions)} indexes in {time.monotonic() - started:.0f} s"
        )

    def _sequences(self) -> None:
        with connection.cursor() as cursor:
            for model in TABLES:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )

    # Rows -------------------------------------------------------------------------------

    def _when(self) -> datetime:
        span = (self.now - self.start).total_seconds()
        return self.start + timedelta(seconds=self.rng.random() * span)

    def _customers(self, n: int) -> None:
        started = time.monotonic()
        rng = self.rng
        columns = [
            "id",
            "name",
            "email",
            "phone",
            "email_normalised",
            "phone_normalised",
            "phone_reversed",
            "surname_key",
            "preferred_channel",
            "preferred_language",
            "preferences",
            "flags",
            "team_id",
            "created_by_id",
            "created_at",
            "updated_at",
        ]
        self.customer_team: list[int] = [0] * (n + 1)
        for chunk_start in range(1, n + 1, CHUNK):
            rows = []
            for cid in range(chunk_start, min(chunk_start + CHUNK, n + 1)):
                team = rng.choice(self.teams)
                self.customer_team[cid] = team
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"customer{cid}@example.com"
                phone = f"+4477{cid:08d}"
                demanding = cid <= max(n // 1000, 1)
                flags = '["frequent_returner"]' if demanding else "[]"
                created = _ts(self.start)
                rows.append(
                    (
                        cid,
                        name,
                        email,
                        phone,
                        email,
                        phone,
                        phone[:0:-1],  # reversed digits (it is already E.164)
                        name.split()[-1].upper(),
                        rng.choice(CHANNELS),
                        # From the id, not the random stream: the rest of the data stays
                        # what it was before customers had a language.
                        _language_of(cid),
                        "",
                        flags,
                        team,
                        rng.choice(self.members[team]) if self.members[team] else self.admin_id,
                        created,
                        created,
                    )
                )
            _copy(Customer._meta.db_table, columns, rows)
        self.n_customers = n
        self.stdout.write(f"  {n:,} customers in {time.monotonic() - started:.0f} s")

    def _category_for(self, moment: datetime) -> int:
        weights = [
            4 if PEAK_MONTH.get(i % 8) == moment.month else 1 for i in range(len(self.categories))
        ]
        return self.rng.choices(self.categories, weights=weights)[0]

    def _cases(self, n: int, n_customers: int) -> None:
        started = time.monotonic()
        for chunk_start in range(1, n + 1, CHUNK):
            self._case_chunk(chunk_start, min(chunk_start + CHUNK, n + 1), n_customers)
            done = min(chunk_start + CHUNK - 1, n)
            if done % 100_000 < CHUNK or done == n:
                rate = done / max(time.monotonic() - started, 1e-9)
                self.stdout.write(f"  {done:,} cases ({rate:,.0f}/s)")

    def _case_chunk(self, first: int, stop: int, n_customers: int) -> None:
        rng = self.rng
        tables: list[list[tuple[Any, ...]]] = [[] for _ in range(7)]
        cases, interactions, events, requests, tasks, reminders, feedback = tables
        demanding = max(n_customers // 1000, 1)
        now = self.now
        for cid in range(first, stop):
            created = self._when()
            age = (now - created).days
            customer = (
                rng.randint(1, demanding) if rng.random() < 0.05 else rng.randint(1, n_customers)
            )
            team = self.customer_team[customer]
            members = self.members[team] or [self.admin_id]
            author = rng.choice(members)
            assignee = rng.choice(members) if rng.random() < 0.9 else None
            category = self._category_for(created)
            demeanour = rng.choice(DEMEANOURS)
            channel = rng.choice(CHANNELS)
            roll = rng.random()
            if age > 30:
                status = "closed" if roll < 0.85 else "resolved" if roll < 0.95 else "open"
            elif age > 7:
                status = (
                    "resolved"
                    if roll < 0.5
                    else "open"
                    if roll < 0.9
                    else "pending_approval"
                    if roll < 0.95
                    else "new"
                )
            else:
                status = (
                    "new"
                    if roll < 0.25
                    else "open"
                    if roll < 0.8
                    else "pending_approval"
                    if roll < 0.9
                    else "resolved"
                )
            thing, problem = rng.choice(THINGS), rng.choice(PROBLEMS)
            subject = f"{thing.capitalize()} {problem}" + (
                f" ({RARE})" if cid % 100_003 == 0 else ""
            )
            if status == "new":
                n_int = 0
            elif rng.random() < 0.001:
                n_int = rng.randint(250, 350)
            else:
                n_int = min(1 + int(rng.expovariate(1 / 4)), 40)
            self.ids["event"] += 1
            events.append(
                (
                    self.ids["event"],
                    cid,
                    author,
                    "opened",
                    "",
                    subject,
                    "",
                    None,
                    None,
                    None,
                    _ts(created),
                )
            )
            moment = created
            for k in range(n_int):
                moment = moment + timedelta(minutes=rng.randint(5, 60 * 24))
                if moment > now:
                    moment = now
                self.ids["interaction"] += 1
                iid = self.ids["interaction"]
                summary = " ".join(rng.choices(WORDS, k=8)) + f" about the {thing}"
                interactions.append(
                    (
                        iid,
                        cid,
                        rng.choice(members),
                        _ts(moment),
                        channel if k == 0 else rng.choice(CHANNELS),
                        "inbound" if k % 2 == 0 else "outbound",
                        summary,
                        demeanour,
                        rng.randint(2, 30),
                        "",
                        None,
                        _ts(moment),
                    )
                )
                self.ids["event"] += 1
                events.append(
                    (
                        self.ids["event"],
                        cid,
                        author,
                        "interaction",
                        "",
                        "",
                        "",
                        iid,
                        None,
                        None,
                        _ts(moment),
                    )
                )
                if k == 0:
                    self.ids["event"] += 1
                    events.append(
                        (
                            self.ids["event"],
                            cid,
                            author,
                            "status",
                            "new",
                            "open",
                            "",
                            None,
                            None,
                            None,
                            _ts(moment),
                        )
                    )
            self.counts["interactions"] += n_int
            resolved_at = closed_at = None
            outcome = summary_text = ""
            if status in {"resolved", "closed"}:
                resolved_at = min(moment + timedelta(hours=rng.randint(1, 72)), now)
                outcome = rng.choice(OUTCOMES)
                summary_text = f"Resolved: {problem} sorted for the {thing}"
                self.ids["event"] += 1
                events.append(
                    (
                        self.ids["event"],
                        cid,
                        author,
                        "resolved",
                        "open",
                        outcome,
                        summary_text,
                        None,
                        None,
                        None,
                        _ts(resolved_at),
                    )
                )
                moment = resolved_at
                if status == "closed":
                    closed_at = min(resolved_at + timedelta(days=14), now)
                    self.ids["event"] += 1
                    events.append(
                        (
                            self.ids["event"],
                            cid,
                            None,
                            "closed",
                            "resolved",
                            "closed",
                            "",
                            None,
                            None,
                            None,
                            _ts(closed_at),
                        )
                    )
            if rng.random() < 0.10 and self.offered and status != "new":
                self._request(cid, team, members, moment, status, requests, events)
            if resolved_at and rng.random() < 0.3:
                self._task(cid, members, resolved_at, tasks, reminders)
            if resolved_at and rng.random() < 0.2:
                self._feedback(cid, customer, resolved_at, feedback)
            last = _ts(moment)
            priority = rng.choice(PRIORITIES)
            cases.append(
                (
                    cid,
                    customer,
                    team,
                    subject,
                    category,
                    channel,
                    priority,
                    PRIORITY_RANK[priority],
                    demeanour,
                    status,
                    assignee,
                    author,
                    outcome,
                    summary_text,
                    "",
                    _ts(created),
                    last,
                    last,
                    _ts(resolved_at) if resolved_at else None,
                    _ts(closed_at) if closed_at else None,
                )
            )
        self.counts["events"] += len(events)
        self.counts["requests"] += len(requests)
        self.counts["tasks"] += len(tasks)
        _copy(
            "cases_case",
            [
                "id",
                "customer_id",
                "team_id",
                "subject",
                "category_id",
                "channel",
                "priority",
                "priority_rank",
                "demeanour",
                "status",
                "assignee_id",
                "created_by_id",
                "outcome",
                "resolution_summary",
                "reflection",
                "created_at",
                "updated_at",
                "last_activity_at",
                "resolved_at",
                "closed_at",
            ],
            cases,
        )
        team_of = {row[0]: row[2] for row in cases}  # case id → team id
        _copy_on_case(
            "cases_interaction",
            [
                "id",
                "case_id",
                "author_id",
                "occurred_at",
                "channel",
                "direction",
                "summary",
                "demeanour",
                "minutes",
                "promise",
                "promise_due_at",
                "created_at",
            ],
            interactions,
            team_of,
        )
        _copy_on_case(
            "cases_exceptionrequest",
            [
                "id",
                "case_id",
                "policy_version_id",
                "allowed_exception_id",
                "exception_name",
                "kind",
                "staff_limit",
                "manager_limit",
                "max_value",
                "value",
                "customer_ask",
                "justification",
                "required_level",
                "requested_by_id",
                "requested_at",
                "status",
                "granted_value",
                "decided_by_id",
                "decided_at",
                "decision_reason",
            ],
            requests,
            team_of,
        )
        _copy_on_case(
            "cases_followuptask",
            [
                "id",
                "case_id",
                "title",
                "kind",
                "assignee_id",
                "due_at",
                "status",
                "outcome_note",
                "created_by_id",
                "created_at",
                "completed_at",
                "completed_by_id",
            ],
            tasks,
            team_of,
        )
        _copy_on_case(
            "cases_reminder",
            [
                "id",
                "kind",
                "case_id",
                "task_id",
                "due_at",
                "state",
                "generation",
                "attempts",
                "claimed_at",
                "sent_at",
                "last_error",
                "note",
                "created_at",
            ],
            reminders,
            team_of,
        )
        _copy_on_case(
            "cases_feedbackrequest",
            [
                "id",
                "case_id",
                "email",
                "salt",
                "token_hash",
                "send_at",
                "expires_at",
                "used_at",
                "rating",
                "comment",
                "created_at",
            ],
            feedback,
            team_of,
        )
        _copy(
            "cases_caseevent",
            [
                "id",
                "case_id",
                "actor_id",
                "kind",
                "from_value",
                "to_value",
                "note",
                "interaction_id",
                "exception_request_id",
                "task_id",
                "created_at",
            ],
            events,
        )

    def _request(
        self,
        cid: int,
        team: int,
        members: list[int],
        moment: datetime,
        status: str,
        requests: list[Any],
        events: list[Any],
    ) -> None:
        rng = self.rng
        offer = rng.choice(self.offered)
        self.ids["request"] += 1
        rid = self.ids["request"]
        requester = rng.choice(members)
        top = offer["max_value"]
        value = (top * Decimal(rng.randint(5, 100)) / 100).quantize(Decimal("0.01"))
        level = 1 if value <= offer["staff_limit"] else 2 if value <= offer["manager_limit"] else 3
        managers = self.managers.get(team) or [self.admin_id]
        decider = rng.choice(managers) if level <= 2 else self.admin_id
        if decider == requester:
            decider = self.admin_id
        asked = moment
        if status == "pending_approval":
            state = "pending"
        elif level == 1:
            state = "granted"
        else:
            state = rng.choices(["approved", "countered", "denied", "withdrawn"], [4, 3, 3, 1])[0]
        granted = {"granted": value, "approved": value}.get(state)
        if state == "countered":
            granted = max((value / 2).quantize(Decimal("0.01")), Decimal("0.01"))
            if granted >= value:
                state, granted = "approved", value
        decided_by = decider if state in {"approved", "countered", "denied"} else None
        decided_at = (
            asked + timedelta(hours=rng.randint(1, 48))
            if state != "pending" and state != "granted"
            else None
        )
        if decided_at and decided_at > self.now:
            decided_at = self.now
        reason = "Fair given the history" if decided_by else ""
        requests.append(
            (
                rid,
                cid,
                offer["policy__current_version_id"],
                offer["id"],
                offer["name"],
                offer["kind"],
                offer["staff_limit"],
                offer["manager_limit"],
                offer["max_value"],
                value,
                "Wants money back",
                "Long-standing customer",
                level,
                requester,
                _ts(asked),
                state,
                granted,
                decided_by,
                _ts(decided_at) if decided_at else None,
                reason,
            )
        )
        self.ids["event"] += 1
        kind = "exc_granted" if state == "granted" else "exc_requested"
        events.append(
            (
                self.ids["event"],
                cid,
                requester,
                kind,
                "",
                str(value),
                offer["name"],
                None,
                rid,
                None,
                _ts(asked),
            )
        )
        if decided_by:
            self.ids["event"] += 1
            events.append(
                (
                    self.ids["event"],
                    cid,
                    decided_by,
                    "exc_decided",
                    str(value),
                    state,
                    reason,
                    None,
                    rid,
                    None,
                    _ts(decided_at) if decided_at else None,
                )
            )

    def _task(
        self,
        cid: int,
        members: list[int],
        resolved_at: datetime,
        tasks: list[Any],
        reminders: list[Any],
    ) -> None:
        rng = self.rng
        self.ids["task"] += 1
        tid = self.ids["task"]
        due = resolved_at + timedelta(days=3)
        assignee = rng.choice(members)
        if due < self.now:
            late = rng.random() < 0.2
            done_at = (
                due + timedelta(hours=rng.randint(1, 48))
                if late
                else due - timedelta(hours=rng.randint(1, 48))
            )
            status, completed_at, completed_by, note = (
                "done",
                _ts(min(done_at, self.now)),
                assignee,
                "Called; all fine",
            )
        else:
            status, completed_at, completed_by, note = "open", None, None, ""
        tasks.append(
            (
                tid,
                cid,
                "Check the customer is happy",
                "check_satisfaction",
                assignee,
                _ts(due),
                status,
                note,
                assignee,
                _ts(resolved_at),
                completed_at,
                completed_by,
            )
        )
        for kind, at in (
            ("due_soon", due - timedelta(hours=1)),
            ("overdue", due + timedelta(minutes=30)),
        ):
            self.ids["reminder"] += 1
            if status == "open":
                state, sent = "pending", None
            elif kind == "due_soon" or completed_at and completed_at > _ts(at):
                state, sent = "sent", _ts(at)
            else:
                state, sent = "cancelled", None
            reminders.append(
                (
                    self.ids["reminder"],
                    kind,
                    cid,
                    tid,
                    _ts(at),
                    state,
                    1,
                    1 if sent else 0,
                    sent,
                    sent,
                    "",
                    "",
                    _ts(resolved_at),
                )
            )

    def _feedback(
        self, cid: int, customer: int, resolved_at: datetime, feedback: list[Any]
    ) -> None:
        rng = self.rng
        self.ids["feedback"] += 1
        fid = self.ids["feedback"]
        send_at = resolved_at + timedelta(days=2)
        answered = send_at < self.now and rng.random() < 0.5
        rating = rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 4, 6])[0] if answered else None
        salt = f"{rng.getrandbits(128):032x}"
        feedback.append(
            (
                fid,
                cid,
                f"customer{customer}@example.com",
                salt,
                f"{rng.getrandbits(256):064x}",
                _ts(send_at),
                _ts(send_at + timedelta(days=14)),
                _ts(send_at + timedelta(hours=5)) if answered else None,
                rating,
                "",
                _ts(resolved_at),
            )
        )
