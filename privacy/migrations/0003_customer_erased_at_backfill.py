"""Customers erased before the customer row recorded it: `erased_at` from their Erasure."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Customer = apps.get_model("cases", "Customer")
    Erasure = apps.get_model("privacy", "Erasure")
    erased_at = Erasure.objects.filter(customer_id=OuterRef("pk")).values("erased_at")[:1]
    Customer.objects.filter(
        erased_at__isnull=True, pk__in=Erasure.objects.values("customer_id")
    ).update(erased_at=Subquery(erased_at))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_customer_erased_at_and_flag_notes"),
        ("privacy", "0002_labels"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
