#!/usr/bin/env python3
"""One-command setup for CaseDesk: needs nothing but Python 3.11.

    python3 dev.py run         # venv, install, migrate, demo data, web + Celery worker + beat
    python3 dev.py test        # venv, install (with test tools), run the test suite
    python3 dev.py lint        # ruff check, ruff format --check, mypy
    python3 dev.py messages    # update the translation catalogues (needs GNU gettext)
    python3 dev.py i18n-check  # CI's check: catalogues match the source, all translated

Extra arguments after `test` go to pytest. Uses only the standard library, so it can run
before anything is installed. `run` and `test` compile the translations with polib, so
they need no GNU gettext either (tests/conftest.py compiles for the test run).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CASEDESK_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv(requirements: str) -> None:
    """Create the venv and install requirements, again only when the files change."""
    if not PYTHON.exists():
        print(f"Creating virtual environment in {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256()
    for name in ("requirements.txt", "requirements-dev.txt"):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    print(f"Installing {requirements} …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(ROOT / requirements)], check=True)
    stamp.write_text(digest.hexdigest())


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], check=True, cwd=ROOT, env=env)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(port: str) -> int:
    # `kill` (SIGTERM) stops the web server and worker too, not only this script.
    signal.signal(signal.SIGTERM, _interrupt)
    ensure_venv("requirements.txt")
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("compile_catalogues", env=env)
    manage("seed_demo", "--if-empty", env=env)
    processes = [
        subprocess.Popen(
            [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
        ),
        # One worker with embedded beat is right for one machine; README shows scaling out.
        subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "casedesk",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=2",
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    print(
        f"\nCaseDesk is starting at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in processes)


def _redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.3).close()
    except OSError:
        return False
    return True


def test(args: list[str]) -> int:
    ensure_venv("requirements-dev.txt")
    env = dict(os.environ)
    if "TEST_REDIS_URL" not in env and _redis_answers():
        # The test settings read only the environment; a local Redis is used when it runs.
        env["TEST_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    return subprocess.run([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def mypy_env() -> dict[str, str]:
    """The environment mypy imports the settings in (django-stubs' plugin imports
    `casedesk.settings`): the developer's own DATABASE_URL, SECRET_KEY, CACHE_URL… must not
    change the verdict, so only what finds programs and the defaults of a local run."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "SYSTEMROOT") if name in os.environ}
    return {**keep, "DEBUG": "1", "PYTHONPATH": str(ROOT)}


def lint() -> int:
    ensure_venv("requirements-dev.txt")
    ruff = str(BIN / "ruff")
    checks = [[ruff, "check", "."], [ruff, "format", "--check", "."]]
    codes = [subprocess.run(check, cwd=ROOT).returncode for check in checks]
    # Configured in pyproject.toml ([tool.mypy]): strict on services, selectors, access,
    # permissions, env and emails; normal elsewhere.
    codes.append(subprocess.run([str(BIN / "mypy")], cwd=ROOT, env=mypy_env()).returncode)
    return max(codes)


def catalogues(command: str) -> int:
    """`messages` (update_catalogues) or `i18n-check` (check_catalogues): both run
    makemessages, so both need GNU gettext; the commands say so when it is missing."""
    ensure_venv("requirements-dev.txt")
    env = {**os.environ, "DEBUG": "1"}  # a development command: no SECRET_KEY needed
    name = {"messages": "update_catalogues", "i18n-check": "check_catalogues"}[command]
    return subprocess.run([str(PYTHON), "manage.py", name], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "lint", "messages", "i18n-check"}:
        print(__doc__)
        return 2
    if argv[0] == "run":
        return run(os.environ.get("PORT", "8000"))
    if argv[0] == "lint":
        return lint()
    if argv[0] in {"messages", "i18n-check"}:
        return catalogues(argv[0])
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
