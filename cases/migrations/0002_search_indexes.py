"""Full-text search indexes, on PostgreSQL only (SQLite searches by substring instead).

The index expressions are built from the same SearchVector that `selectors.search` uses,
so the planner can match them. They live outside model state on purpose: a GinIndex in
Meta.indexes would break migrations on SQLite.
"""

from django.db import migrations

SEARCH_INDEXES = [
    ("case", "subject", "case_subject_fts"),
    ("interaction", "summary", "interaction_summary_fts"),
]


def _index(field: str, name: str):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(field, config="english"), name=name)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, field, name in SEARCH_INDEXES:
        schema_editor.add_index(apps.get_model("cases", model_name), _index(field, name))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, field, name in SEARCH_INDEXES:
        schema_editor.remove_index(apps.get_model("cases", model_name), _index(field, name))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
