"""A real SMTP server for the tests (aiosmtpd, on 127.0.0.1): it keeps every message it
accepts and can be told to refuse the next messages with a transient 451."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class SmtpListener:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse_next: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
            message = message_from_bytes(envelope.original_content or envelope.content,
                                         policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages delivered to one recipient, in order of arrival."""
        with self.lock:
            return [r.message for r in self.received if address in r.envelope_to]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_listener() -> Iterator[SmtpListener]:
    listener = SmtpListener(port=_free_port())
    controller = Controller(listener, hostname=listener.host, port=listener.port)
    controller.start()
    try:
        yield listener
    finally:
        controller.stop()
