"""What each middleware, the session read, the user load and each context processor cost a
signed-in request, measured in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    CACHE_URL=redis://127.0.0.1:6379/N \\
    .venv/bin/python bench/middleware_cost.py [--count 300] [--path /cases/ ...]

Every middleware in settings.MIDDLEWARE is wrapped in a timer that keeps its *own* time:
from the moment the request reaches it to the moment its response leaves it, less the time
spent further in (the next middleware and the view), plus its process_view hook if it has
one. The lazy work a middleware starts but does not own is taken out of whichever
middleware first touches it and shown on its own line: the session read (the session
engine's load) and the user load (the authentication backend's get_user, one query).
Context processors are timed the same way, as is the template render of the page.

Time is CPU time of this process (time.process_time) and wall time side by side: on a
shared machine wall time swings with the load, the CPU a part needs does much less.
Signed in as the first generated user of the role, GETs only, bounded in count; writes
bench/results/middleware-cost-YYYY-MM-DD-HHMM.json (the figures and the machine's
calibration) unless --json says where.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment, write_result  # noqa: E402

bench_environment()

CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


class Ledger:
    """Own time per part for the request under way; a stack keeps nested parts apart."""

    def __init__(self) -> None:
        self.totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.current: dict[str, dict[str, float]] = self._fresh()
        self.stack: list[list[dict[str, float]]] = []

    @staticmethod
    def _fresh() -> dict[str, dict[str, float]]:
        return defaultdict(lambda: dict.fromkeys(CLOCKS, 0.0))

    def start_request(self) -> None:
        self.current = self._fresh()

    def end_request(self) -> None:
        for part, clocks in self.current.items():
            for clock, seconds in clocks.items():
                self.totals[part][clock].append(seconds * 1000)

    def timed(self, part: str, call: Callable[[], Any]) -> Any:
        """Run `call`, charging `part` its time less that of parts timed inside it."""
        started = {name: clock() for name, clock in CLOCKS.items()}
        self.stack.append([dict.fromkeys(CLOCKS, 0.0)])
        try:
            return call()
        finally:
            inner = self.stack.pop()[0]
            spent = {name: clock() - started[name] for name, clock in CLOCKS.items()}
            for name in CLOCKS:
                self.current[part][name] += spent[name] - inner[name]
                if self.stack:
                    self.stack[-1][0][name] += spent[name]


LEDGER = Ledger()


def timed_middleware(path: str) -> type:
    """A middleware class that runs the real one at `path`, timing its own part."""
    from django.utils.module_loading import import_string

    real = import_string(path)
    label = path.rsplit(".", 2)[-2] + "." + path.rsplit(".", 1)[-1]

    class Timed:
        def __init__(self, get_response: Callable[[Any], Any]) -> None:
            def further_in(request: Any) -> Any:
                return LEDGER.timed("(further in)", lambda: get_response(request))

            self.inner = real(further_in)
            if hasattr(self.inner, "process_view"):
                hook = self.inner.process_view
                self.process_view = lambda *args: LEDGER.timed(label, lambda: hook(*args))

        def __call__(self, request: Any) -> Any:
            return LEDGER.timed(label, lambda: self.inner(request))

    Timed.__name__ = f"Timed[{label}]"
    return Timed


def instrument() -> list[str]:
    """Wrap the session read, the user load, context processors and template rendering;
    return the middleware paths to install (wrapped, in the configured order)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib import auth
    from django.template import backends, engines

    store = import_module(settings.SESSION_ENGINE).SessionStore
    load = store.load
    session = f"session read ({settings.SESSION_ENGINE.rsplit('.', 1)[-1]})"
    store.load = lambda self: LEDGER.timed(session, lambda: load(self))
    # AuthenticationMiddleware's lazy user calls auth.get_user through the module.
    get_user = auth.get_user
    auth.get_user = lambda request: LEDGER.timed("user load", lambda: get_user(request))

    # Context processors: the engine's list, each wrapped once (RequestContext reads it
    # on every render).
    for backend in engines.all():
        engine = getattr(backend, "engine", None)
        if engine is not None:
            engine.template_context_processors = tuple(
                _timed_processor(f"context processor {p.__module__}.{p.__name__}", p)
                for p in engine.template_context_processors
            )
    render = backends.django.Template.render
    backends.django.Template.render = lambda self, *a, **k: LEDGER.timed(  # type: ignore[method-assign]
        "template render (less context processors)", lambda: render(self, *a, **k)
    )
    module = sys.modules[__name__]
    paths = []
    for index, path in enumerate(settings.MIDDLEWARE):
        setattr(module, f"Timed{index}", timed_middleware(path))
        paths.append(f"{__name__}.Timed{index}")
    return paths


def _timed_processor(name: str, processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda request: LEDGER.timed(name, lambda: processor(request))


def measure(user: Any, path: str, *, count: int) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    for _ in range(5):
        client.get(path)
    LEDGER.totals.clear()
    statuses = set()
    whole: dict[str, list[float]] = {"cpu": [], "wall": []}
    for _ in range(count):
        LEDGER.start_request()
        started = {name: clock() for name, clock in CLOCKS.items()}
        statuses.add(client.get(path).status_code)
        for name, clock in CLOCKS.items():
            whole[name].append((clock() - started[name]) * 1000)
        LEDGER.end_request()
    parts: list[dict[str, Any]] = []
    for part, clocks in LEDGER.totals.items():
        name = "view (less the parts above)" if part == "(further in)" else part
        parts.append(
            {
                "part": name,
                "cpu_ms_median": round(statistics.median(clocks["cpu"]), 3),
                "cpu_ms_mean": round(statistics.fmean(clocks["cpu"]), 3),
                "wall_ms_median": round(statistics.median(clocks["wall"]), 3),
            }
        )
    parts.sort(key=lambda row: -row["cpu_ms_mean"])
    return {
        "path": path,
        "user": f"{user.username} ({user.role})",
        "statuses": sorted(statuses),
        "requests": count,
        "request_cpu_ms_median": round(statistics.median(whole["cpu"]), 3),
        "request_wall_ms_median": round(statistics.median(whole["wall"]), 3),
        "parts": parts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="What each middleware costs a request.")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--role", default="staff", choices=["staff", "manager", "admin"])
    parser.add_argument("--path", action="append", help="default: the floor and /cases/")
    parser.add_argument("--json", help="default: bench/results/middleware-cost-….json")
    args = parser.parse_args()
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    from cases.models import User

    call_command("collectstatic", "--noinput", verbosity=0)
    user = User.objects.filter(username__startswith="gen-", role=args.role).order_by("id").first()
    if user is None:
        print("No generated users: run manage.py generate_data.")
        return 2
    wrapped = instrument()
    paths = args.path or ["/bench-floor-no-such-page/", "/cases/"]
    runs = []
    with override_settings(MIDDLEWARE=wrapped):
        for path in paths:
            run = measure(user, path, count=max(1, min(args.count, 5000)))
            runs.append(run)
            print(
                f"GET {path} as {run['user']}: {run['request_cpu_ms_median']} ms CPU, "
                f"{run['request_wall_ms_median']} ms wall (medians of {run['requests']})"
            )
            for row in run["parts"]:
                print(
                    f"  {row['part']:<72} CPU {row['cpu_ms_median']:7.3f} ms median"
                    f" {row['cpu_ms_mean']:7.3f} mean   wall {row['wall_ms_median']:7.3f}"
                )
    cache: Any = settings.CACHES["default"]
    report = {
        "session_engine": settings.SESSION_ENGINE,
        "cache": cache["BACKEND"],
        "runs": runs,
    }
    print(f"wrote {write_result('middleware-cost', report, args.json)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
