"""joins_as_written: PostgreSQL keeps a query's join order inside the block, and only
there, whether or not the block runs inside a transaction of its own."""

import pytest
from django.db import ProgrammingError, connection, transaction

from cases.models import ExceptionRequest
from cases.selectors.planning import joins_as_written

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
