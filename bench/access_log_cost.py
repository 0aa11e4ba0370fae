"""What the access log costs a page: the customer and case pages with and without their
access-log INSERT, and the INSERT alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/access_log_cost.py [--rounds 200]

In-process (Django's test client, the configured database, autocommit as in production),
signed in as a generated manager. Requests with and without the log are interleaved so a
busy machine slows both alike; the log is switched off by replacing the views' call with a
no-op (here only, never in the app). Bounded in rounds; writes nothing but log rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    rounds = min(parser.parse_args().rounds, 2000)

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings

    # Static URLs without collectstatic's manifest (the bench measures views, not files).
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    override_settings(STORAGES={"staticfiles": {"BACKEND": plain}}).enable()

    from cases.models import Case, Role, User
    from privacy.models import AccessLogEntry

    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").first()
    if manager is None:
        sys.exit("No generated manager: run manage.py generate_data first.")
    case = Case.objects.filter(team_id__in=manager.team_ids()).order_by("-id").first()
    if case is None:
        sys.exit("The generated manager's teams have no cases.")
    client = Client()
    client.force_login(manager)
    urls = {
        "customer page": f"/customers/{case.customer_id}/",
        "case page": case.get_absolute_url(),
    }
    before = AccessLogEntry.objects.count()
    time_pages(client, urls, rounds=rounds)
    time_inserts(manager, case, rounds=rounds)
    added = AccessLogEntry.objects.count() - before
    print(f"access log rows written: {added} (one per page view with the log, one per call)")


def time_pages(client: Any, urls: dict[str, str], *, rounds: int) -> None:
    """Each page with and without its record_view call, interleaved."""
    from cases.views import cases as case_views
    from cases.views import customers as customer_views
    from privacy.access import record_view as real

    # Each view module imported the name itself (since the views became a package), so
    # each is patched; the package has no `record_view` to patch.
    modules = (case_views, customer_views)

    def skip(request: Any, obj: Any) -> None:
        return None

    def timed(url: str) -> float:
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        return time.perf_counter() - started

    for name, url in urls.items():
        for _ in range(5):
            timed(url)  # warm
        with_log, without = [], []
        for _ in range(rounds):
            with_log.append(timed(url))
            for module in modules:
                setattr(module, "record_view", skip)  # noqa: B010
            try:
                without.append(timed(url))
            finally:
                for module in modules:
                    setattr(module, "record_view", real)  # noqa: B010
        print(f"{name:14} with the log    {ms(with_log)}")
        print(f"{name:14} without the log {ms(without)}")


def time_inserts(user: Any, case: Any, *, rounds: int) -> None:
    from django.test import RequestFactory

    from privacy.access import record_view

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    request.user = user
    inserts = []
    for _ in range(rounds):
        started = time.perf_counter()
        record_view(request, case)
        inserts.append(time.perf_counter() - started)
    print(f"{'record_view':14} alone           {ms(inserts)}")


if __name__ == "__main__":
    main()
