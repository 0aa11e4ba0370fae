"""Run actions in threads released at the same moment (for races on PostgreSQL)."""

import threading
from collections.abc import Callable

from django.db import connection


def race(*actions: Callable[[], object]) -> list[object]:
    """Each action's return value, or the exception it raised (the loser's is a result)."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:  # a loser's error is part of the result
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def wait_for(predicate: Callable[[], object], *, timeout: float = 20.0, what: str = "it") -> None:
    """Poll until predicate() is true; fail after `timeout` seconds (for real processes)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)
