"""Phone numbers as E.164, with reversed digits for "last digits" search.

Existing rows are normalised in batches by primary key (a bounded amount of memory at
300,000 customers, on SQLite and PostgreSQL alike), before the new indexes are built so
that the updates do not maintain them row by row. A number that does not parse keeps its
digits, as before, and still matches itself.

On PostgreSQL a btree on UPPER(name) with the pattern operator class serves "name starts
with" as it is typed (the trigram index, 0009, serves "contains").
"""

from django.conf import settings
from django.db import migrations, models

from cases.phones import normalise_phone, reversed_digits

BATCH = 2000

NAME_PREFIX = (
    "CREATE INDEX IF NOT EXISTS customer_name_prefix_idx ON cases_customer "
    '(UPPER("name"::text) text_pattern_ops)'
)


def normalise_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    customer_model = apps.get_model("cases", "Customer")
    region = settings.CASEDESK_PHONE_REGION
    rows = customer_model.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "phone")[:BATCH])
        if not batch:
            return
        for customer in batch:
            customer.phone_normalised = normalise_phone(customer.phone, region=region)
            customer.phone_reversed = reversed_digits(customer.phone_normalised)
        customer_model.objects.using(schema_editor.connection.alias).bulk_update(
            batch, ["phone_normalised", "phone_reversed"]
        )
        last = batch[-1].pk


def name_prefix_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NAME_PREFIX)


def drop_name_prefix_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_prefix_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_fewer_redundant_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_email_idx"),
        migrations.RemoveIndex(model_name="customer", name="customer_phone_idx"),
        migrations.AddField(
            model_name="customer",
            name="phone_reversed",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=models.CharField(blank=True, help_text="As typed, for display", max_length=40),
        ),
        migrations.RunPython(normalise_existing, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["email_normalised"],
                name="customer_email_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["phone_normalised"],
                name="customer_phone_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["phone_reversed"],
                name="customer_phone_suffix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(name_prefix_index, drop_name_prefix_index),
    ]
