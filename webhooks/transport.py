"""Posting one webhook: to a checked address only, with a timeout, following no redirect.

The host is resolved here and every address it resolves to is checked; the connection
then goes to a checked address (the Host header and TLS name stay the URL's), so a DNS
answer that changes between the check and the connect (DNS rebinding) cannot slip a
private address through.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class Refused(Exception):
    """The URL may not be posted to (private address, bad scheme): not worth a retry."""


@dataclass
class Response:
    status: int
    retry_after: str
    duration_ms: int
    text: str


def _blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_host(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public; Refused if any is private, loopback,
    link-local or otherwise not global (unless CASEDESK_WEBHOOK_ALLOW_PRIVATE)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"Cannot resolve {host}: {error}") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not settings.CASEDESK_WEBHOOK_ALLOW_PRIVATE:
        for text in addresses:
            if _blocked(ipaddress.ip_address(text.split("%")[0])):
                raise Refused(f"{host} resolves to {text}, a private or local address.")
    return addresses


def _open_socket(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of the checked addresses that answers (an IPv6 address
    first in DNS may not be reachable from here)."""
    error: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout)
            break
        except OSError as failed:
            error = failed
    else:
        raise error or OSError("No address to connect to.")
    # No Nagle: on a kept-alive connection a request's second write otherwise waits for
    # the receiver's delayed ACK (40 ms a post).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _open_socket(self._addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self) -> None:
        raw = _open_socket(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


_REUSED_GONE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Session:
    """Posts for one batch, keeping each receiver's connection open between them (keep-
    alive): a new TCP connection per post cost about as much as the post itself. Checked
    addresses are pinned per connection; close() at the end of the batch."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def close(self) -> None:
        for connection in self._open.values():
            connection.close()
        self._open.clear()

    def _connect(
        self, scheme: str, host: str, port: int, timeout: float
    ) -> http.client.HTTPConnection:
        addresses = check_host(host, port)
        kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        return kind(host, port, addresses=addresses, timeout=timeout)

    def post(self, url: str, *, body: str, headers: dict[str, str], timeout: float) -> Response:
        """POST `body` as JSON; the response (any status), Refused, or an OSError /
        HTTPException for a network failure or timeout. Redirects are returned as they
        are, not followed."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise Refused(f"Not a usable URL: {error}") from error
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise Refused("Only http and https URLs receive webhooks.")
        key = (parts.scheme, parts.hostname, port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        reused = self._open.pop(key, None)
        connection = reused or self._connect(parts.scheme, parts.hostname, port, timeout)
        started = time.monotonic()
        try:
            response = self._send(connection, path, body, headers)
        except _REUSED_GONE:
            connection.close()
            if reused is None:
                raise
            # The receiver closed an idle kept-alive connection: once more on a new one.
            connection = self._connect(parts.scheme, parts.hostname, port, timeout)
            started = time.monotonic()
            try:
                response = self._send(connection, path, body, headers)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        # A little of the body, for the delivery log; never the whole of a large answer.
        text = response.read(_KEEP_TEXT)
        if response.will_close or not response.isclosed():
            connection.close()  # closing, or more body than we read: not reusable
        else:
            self._open[key] = connection
        return Response(
            status=response.status,
            retry_after=response.getheader("retry-after", "") or "",
            duration_ms=int((time.monotonic() - started) * 1000),
            text=text.decode("utf-8", "replace")[:500],
        )

    @staticmethod
    def _send(
        connection: http.client.HTTPConnection, path: str, body: str, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={
                **headers,
                "content-type": "application/json",
                "user-agent": "CaseDesk-Webhooks/1",
            },
        )
        return connection.getresponse()


_KEEP_TEXT = 4096


def post(url: str, *, body: str, headers: dict[str, str], timeout: float) -> Response:
    """One post on a connection of its own (see Session.post)."""
    session = Session()
    try:
        return session.post(url, body=body, headers=headers, timeout=timeout)
    finally:
        session.close()
