"""A real SMTP server on a local port (aiosmtpd) that records what it accepts and can
be told to refuse: the tests' mail server, no patched send function."""

import email
import email.policy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.pg_server import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


DROP = "drop the connection"


@dataclass
class SinkHandler:
    received: list[Received] = field(default_factory=list)
    # Replies to give instead of accepting, one per DATA command, e.g. "421 4.3.0 busy";
    # None accepts that message, DROP closes the connection without an answer.
    data_replies: list[str | None] = field(default_factory=list)
    # Replies to MAIL FROM, one per message (None accepts): a server that answers its
    # greeting, then 421 to every command.
    mail_replies: list[str | None] = field(default_factory=list)
    # Recipients refused at RCPT with this reply.
    refuse: dict[str, str] = field(default_factory=dict)
    rcpt_attempts: list[str] = field(default_factory=list)
    # Called (in the sink's thread) with the number of messages accepted so far, after
    # each one and before its answer goes back: to change things mid-batch.
    after_accept: Callable[[int], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        with self.lock:
            reply = self.mail_replies.pop(0) if self.mail_replies else None
        if reply is not None:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.lock:
            self.rcpt_attempts.append(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            reply = self.data_replies.pop(0) if self.data_replies else None
            if reply == DROP:
                server.transport.close()  # the message was sent; no answer ever comes
                return "421 4.4.2 connection dropped"
            if reply is not None:
                return reply
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            accepted = len(self.received)
        if self.after_accept is not None:
            self.after_accept(accepted)
        return "250 2.0.0 accepted"


class SmtpSink:
    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.recipients]
