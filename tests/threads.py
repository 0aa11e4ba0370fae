"""Run actions in threads released at the same moment (for races on PostgreSQL)."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Each action's return value, or the exception it raised (the loser's is a result)."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = action()
        except Exception as error:  # a loser's error is part of the result
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


# Waits are on conditions, polled, with limits generous enough for a machine busy with
# other work: a passing test returns as soon as its condition holds, so only a failing
# one ever waits this long.
WAIT_LIMIT_SECONDS = 120.0


def wait_for(
    predicate: Callable[[], object], *, timeout: float = WAIT_LIMIT_SECONDS, what: str = "it"
) -> None:
    """Poll until predicate() is true; fail after `timeout` seconds (for real processes)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def worker_caught_up(timeout: float = WAIT_LIMIT_SECONDS) -> None:
    """Return once the in-test Celery worker has run every task queued before this call.

    Its solo pool takes tasks one at a time in queue order, so when a marker task queued
    now has run, so has everything before it: a condition to wait on instead of a sleep
    before asserting that something did *not* happen.
    """
    from cases.tasks import heartbeat

    heartbeat.delay().get(timeout=timeout)
