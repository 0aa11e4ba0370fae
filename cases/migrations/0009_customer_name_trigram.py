"""A trigram index for "name contains" search on PostgreSQL (SQLite scans; it is small).

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner can create it. The
expression matches what Django's `icontains` compiles to: UPPER("name"::text).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON cases_customer "
    'USING gin (UPPER("name"::text) gin_trgm_ops)',
]
DROP = ["DROP INDEX IF EXISTS customer_name_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_priority_rank")]
    operations = [migrations.RunPython(forwards, backwards)]
