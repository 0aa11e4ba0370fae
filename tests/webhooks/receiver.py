"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that checks every request's
signature with `standardwebhooks`, the spec's reference library, and records it.

Faults are counted, never timed: `fail_next` answers the next N requests with a 500,
`hang_next` holds the next N past the sender's timeout before answering, `status_next`
answers the next N with a chosen status (and `retry_after`, if set). Only requests
answered 2xx, after their signature verified, count as received.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    msg_id: str
    body: str
    headers: dict[str, str]
    verified: bool
    path: str


class Receiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.secrets: list[str] = []
        self.received: list[Received] = []
        self.answered: list[int] = []  # every status answered, in order
        self.fail_next = 0
        self.hang_next = 0
        self.hang_seconds = 3.0
        self.status_next = 0
        self.status = 500
        self.retry_after = ""
        self.headers_out: dict[str, str] = {}
        self.delay = 0.0  # seconds taken over every request (a slow receiver)
        self.connections: set[tuple[str, int]] = set()  # (address, port) of each sender
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What arrived ------------------------------------------------------------------------

    def accepted(self) -> list[Received]:
        """Requests answered 2xx (a verified signature is required for that)."""
        with self.lock:
            return list(self.received)

    def ids(self) -> Counter[str]:
        return Counter(r.msg_id for r in self.accepted())

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def requests(self) -> int:
        with self.lock:
            return len(self.answered)

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.accepted()]

    # The server ------------------------------------------------------------------------

    def _verify(self, body: str, headers: dict[str, str]) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return True
        return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as most receivers
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                with receiver.lock:
                    receiver.connections.add(self.client_address)
                if receiver.delay:
                    time.sleep(receiver.delay)
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    hang = receiver.hang_next > 0
                    receiver.hang_next -= 1 if hang else 0
                    fail = not hang and receiver.fail_next > 0
                    receiver.fail_next -= 1 if fail else 0
                    odd = not (hang or fail) and receiver.status_next > 0
                    receiver.status_next -= 1 if odd else 0
                if hang:
                    time.sleep(receiver.hang_seconds)
                    status = 200  # too late: the sender has given up on this one
                elif fail:
                    status = 500
                elif odd:
                    status = receiver.status
                else:
                    verified = receiver._verify(body, headers)
                    status = 200 if verified else 401
                    if verified:
                        msg_id = headers.get("webhook-id", "")
                        arrived = Received(msg_id, body, headers, verified, self.path)
                        with receiver.lock:
                            receiver.received.append(arrived)
                with receiver.lock:
                    receiver.answered.append(status)
                try:
                    self.send_response(status)
                    if odd and receiver.retry_after:
                        self.send_header("Retry-After", receiver.retry_after)
                    for name, value in receiver.headers_out.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender hung up (it timed out)

        return Handler
