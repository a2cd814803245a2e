"""The outbox worker: claims due messages, sends them, records the outcome.

Delivery promise: a message is marked sent in its own commit right after the mail
server accepted it. A worker killed at any point loses nothing: rows it had claimed
are released (at once when it was on this host, else when the claim expires) and
sent later. Only a kill between the server's acceptance and that commit sends a
message twice, and then with the same Message-ID.
"""

import os
import random
import signal
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import select, update

from ..extensions import db
from ..invitations.auto_reminders import queue_due_reminders
from ..invitations.services import LinkUnavailable
from ..models import OutboxMessage
from ..models.types import utcnow
from .render import render_message
from .transport import DeliveryError, open_transport


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def add(self, other: "BatchResult") -> None:
        for name in ("claimed", "sent", "retried", "failed", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Worker:
    batch_size: int = 50
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stopping: bool = False

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])

    def release_dead_claims(self) -> int:
        """Free rows claimed by workers of this host that no longer run."""
        host = f"{socket.gethostname()}:"
        holders = db.session.scalars(
            select(OutboxMessage.claimed_by)
            .where(OutboxMessage.status == "queued", OutboxMessage.claimed_by.like(f"{host}%"))
            .distinct()
        ).all()
        released = 0
        for holder in holders:
            if holder != self.name and not _process_alive(holder.rpartition(":")[2]):
                released += _release(OutboxMessage.claimed_by == holder)
        db.session.commit()
        return released

    def claim(self) -> list[int]:
        """Claim up to batch_size due messages; on PostgreSQL, rows another worker is
        claiming at this moment are skipped, so no two workers take the same row."""
        now = utcnow()
        query = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == "queued",
                OutboxMessage.next_attempt_at <= now,
                (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )
        ids = list(db.session.scalars(query))
        if ids:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(claimed_by=self.name, claimed_until=now + self.lease)
            )
        db.session.commit()
        return ids

    def send_batch(self, ids: list[int]) -> BatchResult:
        result = BatchResult(claimed=len(ids))
        pending = list(ids)
        try:
            with open_transport() as transport:
                while pending and not self.stopping:
                    result.count(self._send_one(transport, pending[0]))
                    pending.pop(0)
        except DeliveryError as error:
            # Connecting failed, or the connection broke while sending pending[0]:
            # that message counts an attempt; the rest of the batch is released.
            if pending:
                result.count(self._reschedule(pending.pop(0), error))
        finally:
            if pending:
                _release(OutboxMessage.id.in_(pending) & (OutboxMessage.claimed_by == self.name))
                db.session.commit()
        return result

    def _send_one(self, transport, message_id: int) -> str:
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.status != "queued" or message.claimed_by != self.name:
            return "skipped"  # another worker's now (our claim expired): leave it
        try:
            rendered = render_message(message)
        except LinkUnavailable:
            return self._fail(message, "the link cannot be rebuilt: SECRET_KEY changed")
        email = Message(
            subject=rendered.subject,
            recipients=[message.to_address],
            body=rendered.text,
            html=rendered.html,
            extra_headers={"Auto-Submitted": "auto-generated"},
        )
        email.msgId = message.message_id
        try:
            transport.send(email)
        except DeliveryError as error:
            if error.connection_lost:
                raise
            if error.permanent:
                return self._fail(message, error.reason)
            return self._reschedule(message.id, error)
        message.status = "sent"
        message.sent_at = utcnow()
        message.attempts += 1
        message.last_error = None
        message.claimed_by = message.claimed_until = None
        db.session.commit()
        return "sent"

    def _fail(self, message: OutboxMessage, reason: str) -> str:
        message.status = "failed"
        message.attempts += 1
        message.last_error = reason[:2000]
        message.claimed_by = message.claimed_until = None
        db.session.commit()
        return "failed"

    def _reschedule(self, message_id: int, error: DeliveryError) -> str:
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        attempts = message.attempts + 1
        if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            return self._fail(message, f"gave up after {attempts} attempts: {error.reason}")
        message.attempts = attempts
        message.last_error = error.reason[:2000]
        message.next_attempt_at = utcnow() + backoff(attempts)
        message.claimed_by = message.claimed_until = None
        db.session.commit()
        return "retried"

    def run_once(self) -> BatchResult:
        """Send everything due now, then return (retries scheduled later wait)."""
        total = BatchResult()
        self.release_dead_claims()
        queue_due_reminders()  # the rounds' automatic reminders whose moment has come
        while not self.stopping:
            ids = self.claim()
            if not ids:
                break
            total.add(self.send_batch(ids))
        return total

    def run_forever(self, poll_seconds: float) -> BatchResult:
        total = BatchResult()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while not self.stopping:
            result = self.run_once()
            total.add(result)
            if not result.claimed:
                time.sleep(poll_seconds)
        return total

    def _stop(self, *_args) -> None:
        self.stopping = True


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    cap = current_app.config["OUTBOX_BACKOFF_MAX_SECONDS"]
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(cap, base * 2 ** (attempts - 1)))  # noqa: S311


def _release(condition) -> int:
    result = db.session.execute(
        update(OutboxMessage)
        .where(condition, OutboxMessage.status == "queued")
        .values(claimed_by=None, claimed_until=None)
    )
    return result.rowcount


def _process_alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return True  # not ours to judge
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
