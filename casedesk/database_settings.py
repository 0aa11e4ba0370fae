"""DATABASES from the environment: the primary (DATABASE_URL), an optional streaming replica
for the reads that tolerate lag (DATABASE_REPLICA_URL; see casedesk/db_router.py), and
whether a transaction-mode pooler sits in between (DATABASE_POOLER)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_int, env_str


def _database(url: str, *, pooler: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server and the Celery worker share the file without "database is
        # locked" errors; IMMEDIATE takes the write lock up front for the same reason.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    elif pooler:
        # Behind PgBouncer in transaction mode a session does not outlive a transaction: no
        # server-side cursors, no startup options (set `jit = off` on the role or in
        # PgBouncer's connect_query instead).
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # PostgreSQL's JIT compiles "expensive" plans before running them: 100 ms spent to
        # save a few on the insights aggregates at 1M cases. An interactive app is better
        # without.
        config.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return config


def databases(var_dir: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """(DATABASE_POOLER, DATABASES)."""
    pooler = env_str("DATABASE_POOLER", "")
    if pooler not in {"", "pgbouncer"}:
        raise ImproperlyConfigured(f"DATABASE_POOLER={pooler!r} is not '' or 'pgbouncer'.")
    default = env_str("DATABASE_URL", f"sqlite:///{var_dir / 'casedesk.sqlite3'}")
    result = {"default": _database(default, pooler=pooler)}
    replica = env_str("DATABASE_REPLICA_URL", "")
    if replica:
        result["replica"] = _database(replica, pooler=pooler)
        # Give up on a dead replica quickly; the primary answers instead.
        result["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    return pooler, result
