"""The sweep's and the delivery log's queries have an index to use on the deliveries
table, which grows by one row per event per endpoint (the hot_query_plans pattern:
planned again with sequential scans switched off)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from webhooks import delivery as sweep
from webhooks.models import Delivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def sequential_scans(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    return {table for table in SEQ_SCAN.findall(plan) if table == "webhooks_delivery"}


def test_sweep_and_log_queries_use_indexes(receiver, endpoint_for, signed_in, admin_user):
    endpoint = endpoint_for(receiver)
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event_id=f"msg_plan{i}",
            event_type="case.assigned",
            body="{}",
            next_attempt_at=now,
        )
        for i in range(60)
    )
    client = signed_in(admin_user)
    with CaptureQueriesContext(connection) as ctx:
        sweep.send_due_webhooks(limit=30)
        client.get(reverse("webhook_endpoints"))
        client.get(reverse("webhook_endpoint", args=[endpoint.pk]))
        client.get(reverse("webhook_endpoint", args=[endpoint.pk]) + "?before=40")
    checked = 0
    for query in ctx.captured_queries:
        sql = query["sql"]
        if "webhooks_delivery" not in sql or sql.lstrip().upper().startswith("INSERT"):
            continue
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            continue
        assert sequential_scans(sql) == set(), sql[:300]
        checked += 1
    assert checked > 30  # claims, loads, records, the list and the log
