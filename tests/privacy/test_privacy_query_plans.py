"""The privacy pages, the erasure and the retention sweep use indexes on the big tables
(planned with sequential scans off, on generated data, as tests/cases/test_hot_query_plans
does for the hot pages)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Customer, Role, User
from privacy import retention, services
from tests.cases.test_hot_query_plans import generated  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.postgres,
    # The data comes from generate_data, which needs a direct connection (not PgBouncer).
    pytest.mark.direct_db,
    pytest.mark.django_db(transaction=True),
]

BIG = re.compile(
    r"Seq Scan on (cases_case|cases_interaction|cases_caseevent|cases_customer|"
    r"cases_exceptionrequest|cases_followuptask|cases_reminder|cases_feedbackrequest|"
    r"privacy_\w+)\b"
)


def scans(queries) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                found += [f"{table}: {sql[:200]}" for table in BIG.findall(plan)]
        finally:
            cursor.execute("RESET enable_seqscan")
    return found


@pytest.mark.usefixtures("generated")
def test_privacy_pages_erasure_and_retention_use_indexes(client):
    admin = User.objects.filter(role=Role.ADMIN, username__startswith="gen-").first()
    customer = Customer.objects.filter(cases__isnull=False).order_by("id")[0]
    client.force_login(admin)
    client.get(customer.get_absolute_url())
    with CaptureQueriesContext(connection) as pages:
        for url in ("/", f"/privacy/customers/{customer.pk}/",
                    f"/privacy/customers/{customer.pk}/access-log/"):  # fmt: skip
            assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as work:
        services.erase_customer(customer, by=admin, reason="Asked", override=True,
                                override_reason="Test")  # fmt: skip
        retention.retention_step(size=200)
        retention.retention_step(size=200)
    assert len(work.captured_queries) > 20  # the erasure and the sweep really ran
    assert scans(pages.captured_queries) == []
    assert scans(work.captured_queries) == []
