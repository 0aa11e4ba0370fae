"""joins_as_written: PostgreSQL keeps a query's join order inside the block, and only
there, whether or not the block runs inside a transaction of its own; and the pages that
use it put inside only queries that start from a key, never a semi-join."""

import pytest
from django.db import ProgrammingError, connection, transaction

from cases.models import ExceptionRequest
from cases.selectors.planning import joins_as_written
from tests.statements import written

pytestmark = pytest.mark.postgres


def collapse_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_join_order_is_kept_inside_the_block_and_not_after_it():
    default = collapse_limit()
    assert default != "1"
    with joins_as_written():
        assert collapse_limit() == "1"
        list(ExceptionRequest.objects.select_related("case__customer")[:5])
    assert collapse_limit() == default


@pytest.mark.django_db(transaction=True)
def test_inside_a_longer_transaction_the_setting_ends_with_the_block():
    with transaction.atomic():
        default = collapse_limit()
        with joins_as_written():
            assert collapse_limit() == "1"
        # SET LOCAL would last to the end of this transaction: the block puts it back.
        assert collapse_limit() == default


@pytest.mark.django_db(transaction=True)
def test_a_failing_query_in_the_block_leaves_nothing_behind():
    default = collapse_limit()
    with pytest.raises(ProgrammingError), joins_as_written(), connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM cases_case")
    assert not connection.in_atomic_block
    assert collapse_limit() == default


def statements_of(client, url: str) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # A prepared statement's EXECUTE, read as the query it runs.
    return [written(q["sql"]) for q in ctx.captured_queries]


def in_written_order(statements: list[str], needle: str) -> bool:
    """Whether the first statement containing `needle` ran inside a joins_as_written block
    (inside the test's transaction the block sets the limit and puts it back)."""
    inside = False
    for sql in statements:
        if sql.startswith("SET LOCAL join_collapse_limit"):
            inside = sql.endswith("= 1")
        elif needle in sql:
            return inside
    raise AssertionError(f"no statement with {needle!r}")


@pytest.mark.django_db
def test_the_case_page_reads_in_written_order_and_logs_the_view_after(signed_in, staff, case):
    statements = statements_of(signed_in(staff), case.get_absolute_url())
    assert in_written_order(statements, 'FROM "cases_case"')
    assert in_written_order(statements, 'FROM "cases_caseevent"')
    # Outside: in a transaction of its own, the access log's INSERT does not wait for disk.
    assert not in_written_order(statements, "privacy_accesslogentry")


@pytest.mark.django_db
def test_the_profile_keeps_its_semi_join_out_of_written_order(signed_in, staff, case):
    statements = statements_of(signed_in(staff), f"/customers/{case.customer_id}/")
    assert in_written_order(statements, 'FROM "cases_exceptionrequest"')  # the ledger
    # Their interactions, through a semi-join on their cases: seconds at 1M in written order.
    assert not in_written_order(statements, 'FROM "cases_interaction" INNER JOIN')
