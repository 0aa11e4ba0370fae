"""Every query on attachments has an index to use (planned with sequential scans off, as
tests/cases/test_hot_query_plans.py does for the big tables)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attachments import services
from cases import services as case_services
from tests.attachment_fixtures import image_bytes, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _attachment_scans(queries) -> tuple[int, set[str]]:
    """How many SELECTs on attachments ran, and those that would scan the table."""
    checked, scanned = 0, set()
    for query in queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and "attachments_attachment" in sql:
            checked += 1
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")
                try:
                    cursor.execute("EXPLAIN " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                finally:
                    cursor.execute("RESET enable_seqscan")
            if "Seq Scan on attachments_attachment" in plan:
                scanned.add(sql[:160])
    return checked, scanned


def test_case_page_approvals_and_retention_queries_use_indexes(
    settings, signed_in, staff, manager, case, guidance, allowed, attachment_store
):
    interaction = case_services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="s", demeanour="calm"
    )
    services.add_attachments(
        by=staff, case=case, interaction=interaction, files=[upload("a.png", image_bytes("PNG"))]
    )
    with CaptureQueriesContext(connection) as page:
        signed_in(staff).get(case.get_absolute_url())
        signed_in(manager).get("/approvals/")
    settings.CASEDESK_ATTACHMENT_RETENTION_DAYS = 1
    with CaptureQueriesContext(connection) as sweep:
        services.purge_expired(now=timezone.now() + timedelta(days=3), limit=10)
    checked, scanned = _attachment_scans([*page.captured_queries, *sweep.captured_queries])
    # The timeline's files, the requests' evidence (none here: no query), the sweep's two.
    assert checked >= 3
    assert scanned == set()
