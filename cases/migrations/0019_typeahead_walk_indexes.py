"""Indexes that let search as you type stop at its limit at 1M cases.

- case_customer_team_idx: "has this customer a case in my teams?", answered from the
  index alone for each customer read (cases/selectors/typeahead.py walks customers in
  order and stops; before, the test read every case of the teams into a hash).
- customer_phone_start_idx, PostgreSQL only: the E.164 number in the "C" collation, so a
  number typed from its start reads its first matches in order (customer_phone_idx, a
  pattern index, finds them but cannot give their order: "07700 12" sorted 10,000 rows).
  As for the name in migration 0015; SQLite has no "C" collation by that name.
"""

from django.db import migrations, models

PHONE_START = (
    "CREATE INDEX IF NOT EXISTS customer_phone_start_idx ON cases_customer "
    '(("phone_normalised"::text COLLATE "C"))'
)


def phone_start_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PHONE_START)


def drop_phone_start_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_phone_start_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_customer_erased_at_and_flag_notes"),
        ("policies", "0008_quicklog"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["customer", "team"], name="case_customer_team_idx"),
        ),
        migrations.RunPython(phone_start_index, drop_phone_start_index),
    ]
