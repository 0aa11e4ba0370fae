"""The WSGI app for bench/gc_pauses.py: CaseDesk's own (casedesk.wsgi, which freezes once
warm), or with BENCH_GC_FREEZE=0 Django's plain one, each writing every full collection's
duration to stderr ("GEN2 <ms> <objects walked>")."""

import gc
import os
import sys
import time

_started: list[float] = []


def _log_full_collections(phase: str, info: dict) -> None:
    if info["generation"] != 2:
        return
    if phase == "start":
        _started[:] = [time.perf_counter()]
        return
    spent = (time.perf_counter() - _started[0]) * 1000
    print(f"GEN2 {spent:.2f} {len(gc.get_objects())}", file=sys.stderr, flush=True)


if os.environ.get("BENCH_GC_FREEZE", "1") == "0":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
else:
    from casedesk.wsgi import application  # noqa: F401

gc.callbacks.append(_log_full_collections)
