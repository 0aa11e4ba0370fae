"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

HOLD_LIMIT_SECONDS = 120


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        # Faults are counted in messages, never in seconds: a busy machine changes how
        # long anything takes, not how many messages have arrived.
        # While > 0, refuse each message with a temporary (4xx) error and count down.
        self.refuse_next = 0
        # Refuse everything for good (5xx).
        self.permanent = False
        # Seconds to take over each message (a slow server).
        self.delay = 0.0
        self.refused = 0
        # Accept this many messages, then hold each further one (its sender waits
        # mid-send) until release(): a sender killed then is caught mid-batch.
        self.hold_after: int | None = None
        # Hold every message until this many connections have each sent one: proves
        # that several senders worked at once, however late the last one started.
        self.hold_until_senders = 0
        self.holding = 0  # messages waiting at the gate now
        self._senders: set[object] = set()
        self._released = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        await self._gate(session.peer)
        with self.lock:
            if self.permanent:
                self.refused += 1
                return "550 Mailbox unavailable"
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 Try again later"
            message = email.message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def release(self) -> None:
        """Let every held message (and all later ones) through."""
        self._released.set()

    def _must_hold(self) -> bool:
        if self._released.is_set():
            return False
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            return True
        return len(self._senders) < self.hold_until_senders

    async def _gate(self, peer: object) -> None:
        with self.lock:
            self._senders.add(peer)
            if not self._must_hold():
                return
            self.holding += 1
        # Bounded, so a test that forgets to release cannot hang the run.
        deadline = asyncio.get_running_loop().time() + HOLD_LIMIT_SECONDS
        try:
            while asyncio.get_running_loop().time() < deadline:
                with self.lock:
                    if not self._must_hold():
                        return
                await asyncio.sleep(0.05)
        finally:
            # Also when the sender died while held (aiosmtpd cancels its handler).
            with self.lock:
                self.holding -= 1

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
def smtp_sink(settings) -> Iterator[Sink]:
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
