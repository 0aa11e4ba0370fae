"""Full garbage collections that walk only what is new, in a web process.

Python's cyclic collector now and then walks every object the process holds. A warm
gunicorn worker holds about 145,000 (modules, URL patterns, compiled templates, message
catalogues, SQL kept per shape), and each such walk took about 100 ms on this work's
machine, nine times in 90 s of one worker's requests
(bench/results/gc-pauses-no-freeze-2026-12-01-1213.json): the request it lands on waits a
tenth of a second, and the managers' home's p95 over 50 requests went past 100 ms in two
harness runs of five (pages-2026-12-01-1119.json, flat-2026-12-01-1157/large.json).
Almost all of those objects live as long as the process. So once the process is warm
(WARM_REQUESTS served), it collects once and freezes what survives (`gc.freeze()`): later
collections skip it (5-12 ms each after that: gc-pauses-freeze-2026-12-01-1214.json).
What is frozen and later becomes cyclic garbage stays in memory; little of it does (an
entry dropped from a bounded cache), once per process.
"""

from __future__ import annotations

import gc
from typing import Any

from django.core.signals import request_finished

WARM_REQUESTS = 50


def freeze_once_warm(requests: int = WARM_REQUESTS) -> None:
    """After `requests` requests have finished in this process, collect and freeze once."""
    left = [requests]

    def count(**_: Any) -> None:
        left[0] -= 1
        if left[0] > 0:
            return
        request_finished.disconnect(count, dispatch_uid=__name__)
        gc.collect()
        gc.freeze()

    request_finished.connect(count, weak=False, dispatch_uid=__name__)
