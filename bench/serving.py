"""Serving the app for a benchmark and timing requests to it: gunicorn on 127.0.0.1, a
keep-alive client with a session cookie, sequential timings and a bounded load."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.common import percentiles

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "casedesk-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A keep-alive HTTP client with a session cookie, for one user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Host": "127.0.0.1"} if cookie else {"Host": "127.0.0.1"}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = self._headers()
        data = None
        if body is not None:
            body = {**body, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload

    def sign_in(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"Could not sign in as {username} (status {status}).")


def timed(client: Client, method: str, path: str, body_for=None, *, count: int, warm: int):
    """p50 and p95 in ms over `count` sequential requests after `warm` warm-ups."""
    samples = []
    statuses = set()
    for i in range(warm + count):
        body = body_for(i) if body_for else None
        started = time.perf_counter()
        status, _ = client.request(method, path, body)
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(status)
        if i >= warm:
            samples.append(elapsed)
    p50, p95 = percentiles(samples)
    return p50, p95, sorted(statuses)


def alternating(
    clients: dict[str, Client],
    paths: dict[str, str | Callable[[int], str]],
    *,
    count: int,
    warm: int,
    method: str = "GET",
    bodies: dict[str, Callable[[int], dict[str, str]]] | None = None,
) -> dict[str, tuple[float, float, list[int]]]:
    """p50, p95 and statuses per side, each side's request made in turn (A, B, B, A, ...)
    `warm + count` times: every pair of samples is taken within milliseconds of each other,
    so the machine's drift over a run falls on both sides alike. `clients`, `paths` (or a
    path per request number) and `bodies` are keyed by side: two servers of one checkout,
    or of two."""
    first, second = list(clients)
    samples: dict[str, list[float]] = {first: [], second: []}
    statuses: dict[str, set[int]] = {first: set(), second: set()}
    for i in range(warm + count):
        for side in (first, second) if i % 2 == 0 else (second, first):
            path = paths[side]
            body = bodies[side](i) if bodies else None
            started = time.perf_counter()
            status, _ = clients[side].request(
                method, path if isinstance(path, str) else path(i), body
            )
            statuses[side].add(status)
            if i >= warm:
                samples[side].append((time.perf_counter() - started) * 1000)
    return {side: (*percentiles(samples[side]), sorted(statuses[side])) for side in clients}


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds used so far by these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def load(
    port: int,
    username: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    server_pids: list[int] | None = None,
) -> tuple[float, float | None]:
    """Requests per second with `clients` concurrent keep-alive clients for `seconds`, and
    the CPU milliseconds `server_pids` used per request in that window.

    Each client signs in (and fetches the page once) before the window opens, so the
    window counts only the page: four sign-ins inside a short window once made the figure
    meaningless (0.4 requests/s over a second). On a shared machine the rate moves with
    the neighbours by a quarter from one run to the next, and the web workers' CPU a
    request with it (5.5-9.5 ms for the same code in this work's runs): recorded beside
    the rate, it says whether a slower run cost the web workers more CPU or waited on
    something else (the database, the clients)."""
    signed_in = []
    for _ in range(clients):
        client = Client(port)
        client.sign_in(username)
        client.request("GET", path)
        signed_in.append(client)
    done = [0] * clients
    window: dict[str, float] = {}
    pids = server_pids or []

    def open_window() -> None:
        window.update(stop=time.monotonic() + seconds, cpu=cpu_seconds(pids))

    start = threading.Barrier(clients, action=open_window)

    def run(index: int) -> None:
        start.wait(timeout=60)
        while time.monotonic() < window["stop"]:
            status, _ = signed_in[index].request("GET", path)
            if status == 200:
                done[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    used = cpu_seconds(pids) - window["cpu"]
    # The window is the configured length (every client stops at `stop`, finishing its
    # last request, which the count includes).
    per_request = round(used * 1000 / sum(done), 2) if pids and sum(done) else None
    return round(sum(done) / seconds, 1), per_request


def start_server(
    cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 sync workers on a free 127.0.0.1 port, once it accepts connections,
    serving the checkout at `cwd` with this environment and `env` over it
    (bench/before_after.py serves two checkouts, bench/flat_interleaved.py two databases)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "casedesk.wsgi", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--log-level", "warning"],
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    return server, port
