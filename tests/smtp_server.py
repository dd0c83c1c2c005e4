"""A real SMTP server in the test process (aiosmtpd), that can refuse on demand."""

import asyncio
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts mail and keeps it; answers 5xx for ``reject``, 4xx once for ``defer_once``
    and 4xx every time for ``greylist``; ``attempts`` counts RCPT commands per address."""

    def __init__(self):
        self.messages = []
        self.reject: set[str] = set()
        self.defer_once: set[str] = set()
        self.deferred: set[str] = set()
        self.greylist: set[str] = set()
        self.attempts: Counter = Counter()
        self.delay = 0.0  # seconds before answering DATA: a slow server
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self.attempts[address] += 1
        if address in self.greylist:
            return "451 4.7.1 Greylisted, try again later"
        if address in self.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        with self._lock:
            if address in self.defer_once and address not in self.deferred:
                self.deferred.add(address)
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self._lock:
            return [rcpt for rcpts, _message in self.messages for rcpt in rcpts]


class SMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def mailers(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }
