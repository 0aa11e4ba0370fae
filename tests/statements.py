"""Reading captured SQL when some of it runs as prepared statements
(cases/selectors/prepared.py): an EXECUTE names its statement, not its query."""

import re

from django.db import connection


def written(sql: str) -> str:
    """The query a captured statement runs: for an EXECUTE, its prepared statement's."""
    name = re.match(r"EXECUTE (\w+)", sql)
    if name is None:
        return sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE name = %s", [name.group(1)]
        )
        return re.sub(r"^PREPARE \w+ (\([^)]*\) )?AS ", "", cursor.fetchone()[0])
