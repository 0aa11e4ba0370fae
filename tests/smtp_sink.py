"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        # While > 0, refuse each message with a temporary (4xx) error and count down.
        self.refuse_next = 0
        # Refuse everything with 4xx until this monotonic time.
        self.refuse_until = 0.0
        # Refuse everything for good (5xx).
        self.permanent = False
        # Seconds to take over each message (a slow server, to catch a sender mid-batch).
        self.delay = 0.0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.permanent:
                self.refused += 1
                return "550 Mailbox unavailable"
            if self.refuse_next > 0 or time.monotonic() < self.refuse_until:
                self.refuse_next = max(self.refuse_next - 1, 0)
                self.refused += 1
                return "451 Try again later"
            message = email.message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in m["X-Envelope-To"]]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def body_of(message: Message) -> str:
    """The plain-text part of a message."""
    part = message.get_payload(0) if message.is_multipart() else message
    return part.get_payload(decode=True).decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(settings) -> Iterator[Sink]:  # type: ignore[no-untyped-def]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    sink.port = controller.port
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()
