"""On PostgreSQL, the team copied onto a case's rows (0021) is held to the case's own by a
foreign key on (case, team): a row whose team differs from its case's cannot be written,
by any path, and were a case ever moved to another team its rows would follow
(ON UPDATE CASCADE). SQLite has no such composite key; there `save()` and the tests hold it.

The key needs a unique index on cases (id, team_id). At 1,000,000 cases (5.3 M rows to
check) the index and the five keys took 8 s, with a test run sharing the two cores.
"""

from django.db import migrations

TABLES = (
    "cases_interaction",
    "cases_exceptionrequest",
    "cases_followuptask",
    "cases_reminder",
    "cases_feedbackrequest",
)


def agree(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE cases_case ADD CONSTRAINT case_id_team_key UNIQUE (id, team_id)"
    )
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_case_team_fk "
            "FOREIGN KEY (case_id, team_id) REFERENCES cases_case (id, team_id) "
            # Deferred to commit, like Django's own keys: a case deleted with its rows in
            # one transaction is never caught halfway.
            "ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
        )


def disagree(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_case_team_fk")
    schema_editor.execute("ALTER TABLE cases_case DROP CONSTRAINT IF EXISTS case_id_team_key")


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_case_team_on_rows")]

    operations = [migrations.RunPython(agree, disagree)]
