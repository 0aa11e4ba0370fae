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


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: str, headers: dict[str, str], timeout: float) -> Response:
    """POST `body` as JSON; the response (any status), Refused, or an OSError/HTTPException
    for a network failure or timeout. Redirects are returned as they are, not followed."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Refused("Only http and https URLs receive webhooks.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = check_host(parts.hostname, port)[0]
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, port, address=address, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    try:
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
        response = connection.getresponse()
        # A little of the body, for the delivery log; never the whole of a large answer.
        text = response.read(500).decode("utf-8", "replace")
        return Response(
            status=response.status,
            retry_after=response.getheader("retry-after", "") or "",
            duration_ms=int((time.monotonic() - started) * 1000),
            text=text,
        )
    finally:
        connection.close()
