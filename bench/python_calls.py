"""Python function calls per request, page by page, for one or more checkouts: a measure
of the work a page does in Python that does not move with the machine's speed.

    git worktree add /tmp/before f839bdc && ln -s "$PWD/.venv" /tmp/before/.venv
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/python_calls.py /tmp/before .

Timings on this shared machine move by a third from run to run; the number of calls a
request makes (counted by cProfile over 5 requests, in-process, after 3 warm-ups) is the
same every time for the same code and data. It misses what a call costs (a C-level dict
probe and a template render count alike) and the database's time, so it complements the
harness's timings rather than replacing them. Each checkout runs in its own process with
its own code, against the same database. Writes
bench/results/python-calls-YYYY-MM-DD-HHMM.json with each page's calls per checkout and
its ratio to the first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def count_here() -> dict[str, int]:
    """In a checkout's own process: calls per request for every page of its harness."""
    import cProfile
    import logging
    import pstats

    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)  # pages name hashed files

    from bench.harness import pages_to_measure, typeahead_pages
    from cases.models import Role, User

    generated = User.objects.filter(username__startswith="gen-").order_by("id")
    staff, manager, admin = (
        generated.filter(role=r).first() for r in (Role.STAFF, Role.MANAGER, Role.ADMIN)
    )
    team_id = manager.teams.values_list("id", flat=True).first() if manager else None
    if not (staff and manager and admin and team_id):
        raise SystemExit("No generated users: run manage.py generate_data.")
    pages = pages_to_measure(staff, manager, admin, team_id) + typeahead_pages(staff)
    clients: dict[int, Client] = {}
    counts = {}
    for key, _name, user, path, _target in pages:
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        client = clients[user.pk]
        for _ in range(3):
            client.get(path)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            client.get(path)
        profile.disable()
        counts[key] = pstats.Stats(profile).total_calls // 5  # type: ignore[attr-defined]
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="*", type=Path, default=[ROOT])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.common import ENVIRONMENT, commit_of

    # Every checkout counts with this one's benchmark environment (the cache on Redis…),
    # whatever its own bench/ says: the same conditions on each side.
    env = {**ENVIRONMENT, **os.environ}
    runs = []
    for checkout in args.checkouts:
        checkout = checkout.resolve()
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(Path(__file__).resolve())],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            raise SystemExit(f"{checkout}: {child.stderr[-3000:]}")
        counts = json.loads(child.stdout.strip().splitlines()[-1])
        runs.append({"checkout": str(checkout), "commit": commit_of(checkout), "calls": counts})
    first = runs[0]["calls"]
    for run in runs[1:]:
        run["ratio_to_first"] = {
            key: round(calls / first[key], 2) for key, calls in run["calls"].items() if key in first
        }
    now = datetime.now(UTC)
    path = args.json or ROOT / "bench" / "results" / f"python-calls-{now:%Y-%m-%d-%H%M}.json"
    path.write_text(
        json.dumps({"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "runs": runs}, indent=1)
    )
    for key in first:
        print(f"{key:<22}", *(f"{run['calls'].get(key, '-'):>8}" for run in runs))
    print(f"wrote {path}")
    return 0


# The child runs in the checkout's folder with its code first on the path, then this
# script's count_here (the harness it imports is the checkout's own).
CHILD = (
    "import os, sys, runpy; sys.path.insert(0, os.getcwd()); "
    "module = runpy.run_path(sys.argv[1]); "
    "import json; print(json.dumps(module['count_here']()))"
)


if __name__ == "__main__":
    sys.exit(main())
