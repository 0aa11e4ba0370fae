"""bench/serving.alternating: two servers' requests in turn (A, B, B, A, ...), so a slow
minute lands on both sides alike; warm-ups untimed; a path per request when given one."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.serving import Client, alternating

ARRIVALS: list[tuple[str, str, str]] = []


def _server(side: str, status: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            ARRIVALS.append((side, self.command + " " + self.path, body))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def two_servers():
    ARRIVALS.clear()
    servers = {"small": _server("small", 200), "large": _server("large", 404)}
    yield {side: Client(server.server_address[1]) for side, server in servers.items()}
    for server in servers.values():
        server.shutdown()


def test_each_round_swaps_which_side_goes_first(two_servers):
    timings = alternating(two_servers, {"small": "/a/", "large": "/b/"}, count=4, warm=2)

    assert [side for side, _, _ in ARRIVALS] == ["small", "large", "large", "small"] * 3
    assert {request for _, request, _ in ARRIVALS} == {"GET /a/", "GET /b/"}
    # Statuses are each side's own; p50 and p95 are over the 4 timed requests.
    assert timings["small"][2] == [200] and timings["large"][2] == [404]
    assert all(0 < timings[side][0] <= timings[side][1] for side in timings)


def test_a_path_and_a_body_per_request_number(two_servers):
    def path_of(side: str):
        return lambda i: f"/{side}/{i}/"

    alternating(
        two_servers,
        {side: path_of(side) for side in two_servers},
        count=2,
        warm=1,
        method="POST",
        bodies={side: (lambda i: {"n": str(i)}) for side in two_servers},
    )

    small = [(request, body) for side, request, body in ARRIVALS if side == "small"]
    assert [request for request, _ in small] == [f"POST /small/{i}/" for i in range(3)]
    assert [body.split("&")[0] for _, body in small] == ["n=0", "n=1", "n=2"]
