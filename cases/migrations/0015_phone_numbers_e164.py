"""Phone numbers as E.164, with reversed digits for "last digits" search; a surname key.

Existing rows are normalised in batches by primary key (a bounded amount of memory at
300,000 customers, on SQLite and PostgreSQL alike), before the new indexes are built so
that the updates do not maintain them row by row. A number that does not parse keeps its
digits, as before, and still matches itself.

On PostgreSQL, btrees on UPPER(name) and on the surname key in the "C" collation serve
"starts with" as it is typed *and* its order, so the first few matches in name order are
read straight from the index (with the database's own collation the index could serve
the LIKE through a pattern operator class, but not the ORDER BY). SQLite has no "C"
collation by that name; it scans, which at its sizes is fine.
"""

from django.conf import settings
from django.db import migrations, models

from cases.phones import normalise_phone, reversed_digits

BATCH = 1000  # 4,000 parameters a statement (SQLite allows 32,766)

NAME_PREFIX = [
    "CREATE INDEX IF NOT EXISTS customer_name_prefix_idx ON cases_customer "
    '((UPPER("name"::text) COLLATE "C"))',
    "CREATE INDEX IF NOT EXISTS customer_surname_idx ON cases_customer "
    '(("surname_key"::text COLLATE "C"))',
]


def surname_key(name: str) -> str:
    """As Customer.save() writes it (frozen here, as migrations should be)."""
    words = name.split()
    return words[-1].upper() if len(words) > 1 else ""


def normalise_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Batches of BATCH rows by primary key, each written by one UPDATE … FROM (VALUES …)
    (PostgreSQL and SQLite 3.33+ alike): Django's bulk_update writes a CASE per column with
    a branch per row, which took 7 minutes for 300,000 customers."""
    customer_model = apps.get_model("cases", "Customer")
    region = settings.CASEDESK_PHONE_REGION
    connection = schema_editor.connection
    table = connection.ops.quote_name(customer_model._meta.db_table)
    rows = customer_model.objects.using(connection.alias).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", "phone", "name")[:BATCH])
        if not batch:
            return
        values = []
        for pk, phone, name in batch:
            normalised = normalise_phone(phone, region=region)
            values += [pk, normalised, reversed_digits(normalised), surname_key(name)]
        placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET phone_normalised = v.column2, phone_reversed = v.column3, "
                f"surname_key = v.column4 FROM (VALUES {placeholders}) AS v "
                f"WHERE {table}.id = v.column1",
                values,
            )
        last = batch[-1][0]


def name_prefix_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in NAME_PREFIX:
            schema_editor.execute(statement)


def drop_name_prefix_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_prefix_idx")
        schema_editor.execute("DROP INDEX IF EXISTS customer_surname_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_caseevent_file_removed")]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_email_idx"),
        migrations.RemoveIndex(model_name="customer", name="customer_phone_idx"),
        migrations.AddField(
            model_name="customer",
            name="phone_reversed",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="customer",
            name="surname_key",
            field=models.CharField(blank=True, editable=False, max_length=200),
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
