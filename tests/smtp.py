"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

from scripts.mail_catcher import save_message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpCatcher:
    """Receives mail on 127.0.0.1; can answer the next messages with an error.

    With a maildir, each message is also saved there as `make run`'s mail
    catcher saves it, for readers of files such as the demo.
    """

    def __init__(self, maildir: Path | None = None):
        self.maildir = maildir
        self.messages = []
        self._replies = []
        self._arrived = threading.Condition()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpCatcher":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def fail_next(self, *replies: str) -> None:
        """Answer the next messages with these replies, e.g. "451 try later"."""
        with self._arrived:
            self._replies.extend(replies)

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()
            self._replies.clear()

    async def handle_DATA(self, server, session, envelope):
        with self._arrived:
            if self._replies:
                return self._replies.pop(0)
            message = message_from_bytes(envelope.content, policy=policy.default)
            if self.maildir is not None:
                save_message(self.maildir, envelope.content)
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def sent_to(self, address: str) -> list:
        with self._arrived:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, address: str, timeout: float = 20.0, count: int = 1):
        """The newest message to an address, once `count` have arrived."""
        with self._arrived:
            arrived = self._arrived.wait_for(
                lambda: (
                    len([m for m in self.messages if address in str(m["To"])]) >= count
                ),
                timeout=timeout,
            )
        assert arrived, f"no email to {address} within {timeout}s"
        return self.sent_to(address)[-1]


def text_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
