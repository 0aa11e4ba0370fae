"""The hot pages' queries kept prepared on each connection (cases/selectors/prepared.py):
the pages show what they showed with the queries planned afresh, and go on working after a
rollback, on a new connection and past the per-connection bound; behind PgBouncer nothing
is prepared. Whether their generic plans keep their index walks: test_hot_query_plans.py."""

import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.access import get_case_for
from cases.models import Case, Status
from cases.selectors import case_list_rows, prepared
from tests.exception_fixtures import ask
from tests.factories import CaseFactory, add_due_tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXECUTE = re.compile(r"EXECUTE (cd_\w+)")
# What differs between two renders of one page: the CSRF token and the CSP nonce.
PER_RENDER = re.compile(r'(csrfmiddlewaretoken" value|nonce|csrf-token" content)="[^"]*"')


@pytest.fixture
def busy(staff, manager, team, customer, category, allowed):
    """A case on every card of the managers' home and the case page, and one request
    waiting for the manager."""
    mine = CaseFactory(
        team=team, customer=customer, category=category, assignee=manager, created_by=staff
    )
    CaseFactory(team=team, customer=customer, category=category, status=Status.OPEN)
    add_due_tasks(mine, manager, 2)
    asked = CaseFactory(team=team, customer=customer, category=category, created_by=staff)
    ask(asked, staff, allowed, "80.00")
    return [
        "/",
        "/approvals/",
        mine.get_absolute_url(),
        asked.get_absolute_url(),
        "/cases/",
        "/cases/?status=open",
        f"/customers/{customer.pk}/",
    ]


def visit(client, url: str) -> tuple[str, list[str]]:
    """The page, without what differs per render, and the prepared statements it ran."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    statements = [m.group(1) for q in ctx.captured_queries if (m := EXECUTE.match(q["sql"]))]
    return PER_RENDER.sub("", response.content.decode()), statements


@pytest.mark.direct_db
def test_the_hot_pages_run_prepared_and_show_what_they_showed_planned_afresh(
    settings, signed_in, manager, busy
):
    settings.DATABASE_POOLER = ""
    client = signed_in(manager)
    pages = {}
    for url in busy:
        visit(client, url)  # prepared here
        pages[url], statements = visit(client, url)
        assert statements, url  # each runs at least one prepared statement
    assert "Refund of the diagnostic fee" in pages["/approvals/"]  # the queue has its request
    settings.DATABASE_POOLER = "pgbouncer"  # a settings change forgets the compiled SQL
    for url in busy:
        page, statements = visit(client, url)
        assert statements == [], url
        assert page == pages[url], url


@pytest.mark.direct_db
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_outlive_a_rollback_and_are_made_again_on_a_new_connection(
    settings, signed_in, manager, busy
):
    settings.DATABASE_POOLER = ""
    client = signed_in(manager)
    before, _ = visit(client, "/")
    with pytest.raises(RuntimeError), transaction.atomic():
        visit(client, "/approvals/")  # prepared inside a transaction rolled back
        raise RuntimeError
    # PREPARE is not undone by a rollback (and a second PREPARE of the name would fail).
    assert visit(client, "/approvals/")[1]
    connection.close()  # a new connection has none of them: they are made again
    after, statements = visit(client, "/")
    assert statements and after == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'cd\\_%%'")
        assert cursor.fetchone()[0] >= 3  # the home's three unions


@pytest.mark.direct_db
@pytest.mark.django_db(transaction=True)
def test_past_the_bound_a_connection_starts_again(settings, signed_in, manager, busy, monkeypatch):
    settings.DATABASE_POOLER = ""
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 2)
    connection.close()  # a connection of its own, with nothing prepared yet
    client = signed_in(manager)
    for url in busy * 2:
        visit(client, url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'cd\\_%%'")
        assert cursor.fetchone()[0] <= 2


def test_behind_pgbouncer_nothing_is_prepared(settings, signed_in, manager, busy):
    # Also run through a real PgBouncer in transaction mode by .ci/run.
    settings.DATABASE_POOLER = "pgbouncer"
    client = signed_in(manager)
    for url in busy * 2:
        assert visit(client, url)[1] == [], url


def test_the_case_lists_rows_by_key_keep_to_the_users_teams(staff, other_team, busy, category):
    """The page's ids come from the filtered, scoped list; its rows are loaded by key
    through the same scoping, so ids of another team's cases load nothing."""
    theirs = CaseFactory(team=other_team, category=category)
    mine = list(Case.objects.visible_to(staff).order_by("-id").values_list("pk", flat=True))
    assert [row.pk for row in case_list_rows(staff, mine)] == mine  # in the order asked
    assert case_list_rows(staff, [theirs.pk]) == []
    assert [row.pk for row in case_list_rows(staff, [theirs.pk, mine[0]])] == [mine[0]]


def drop_behind_its_back(sql: str) -> None:
    with connection.connection.cursor() as cursor:  # not through Django: nothing notices
        cursor.execute(sql)


@pytest.mark.direct_db
@pytest.mark.django_db(transaction=True)
def test_statements_the_server_lost_are_prepared_again(settings, signed_in, manager, busy):
    """Outside a transaction a missing statement is prepared again and the query retried;
    inside one (the pages' join-order blocks) the request fails once, and the next one
    prepares afresh, rather than failing for as long as the connection lives."""
    settings.DATABASE_POOLER = ""
    client = signed_in(manager)
    case = Case.objects.filter(assignee=manager).get()
    for _ in range(2):
        assert get_case_for(manager, case.reference) == case
        drop_behind_its_back("DEALLOCATE ALL")
    before, _ = visit(client, "/")
    drop_behind_its_back("DEALLOCATE ALL")
    with pytest.raises(DatabaseError, match="does not exist"):
        client.get("/")  # its unions run inside a transaction
    assert visit(client, "/")[0] == before


@pytest.mark.direct_db
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_changes_a_column_under_open_connections(settings, manager, busy):
    """A deploy that widens a column while old workers keep their connections: their
    statements are out of date ("cached plan must not change result type")."""
    settings.DATABASE_POOLER = ""
    case = Case.objects.filter(assignee=manager).get()
    assert get_case_for(manager, case.reference) == case
    drop_behind_its_back("ALTER TABLE cases_case ALTER subject TYPE varchar(300)")
    try:
        assert get_case_for(manager, case.reference) == case
        with pytest.raises(DatabaseError), transaction.atomic():
            drop_behind_its_back("ALTER TABLE cases_case ALTER subject TYPE varchar(200)")
            get_case_for(manager, case.reference)
        assert get_case_for(manager, case.reference) == case
    finally:
        drop_behind_its_back("ALTER TABLE cases_case ALTER subject TYPE varchar(200)")


@pytest.mark.direct_db
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_preparing(settings, manager, busy):
    """A task whose first query is a prepared one, on a connection the server has since
    closed: the query runs on a new connection, its statement prepared there."""
    settings.DATABASE_POOLER = ""
    case = Case.objects.filter(assignee=manager).get()
    assert get_case_for(manager, case.reference) == case
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    pid = connection.connection.info.backend_pid
    with connection.connection.__class__(connection.connection.dsn) as other:
        other.autocommit = True
        other.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_done = False  # as at the start of each request or task
    assert get_case_for(manager, case.reference) == case
    assert connection.connection.info.backend_pid != pid
