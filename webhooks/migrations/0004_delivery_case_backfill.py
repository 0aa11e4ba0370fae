"""Deliveries written before they recorded their case: read it from the body they carry
(every event names its case at `data.case.id`), so that an erasure finds them too.

Batches of ids, each its own transaction (the migration is not atomic), so a large outbox
is never one long transaction and a killed run resumes where it stopped.
"""

import json

from django.db import migrations, transaction

BATCH = 2000


def case_of(body):
    try:
        case = json.loads(body)["data"]["case"]
        return int(case["id"])
    except (ValueError, KeyError, TypeError):
        return None


def backfill(apps, schema_editor):
    Delivery = apps.get_model("webhooks", "Delivery")
    cursor = 0
    while True:
        rows = list(
            Delivery.objects.filter(pk__gt=cursor, case__isnull=True)
            .order_by("pk")
            .only("pk", "body")[:BATCH]
        )
        if not rows:
            return
        for row in rows:
            row.case_id = case_of(row.body)
        with transaction.atomic():
            Delivery.objects.bulk_update([r for r in rows if r.case_id], ["case"])
        cursor = rows[-1].pk


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("webhooks", "0003_delivery_case")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
