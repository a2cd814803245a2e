"""The outbox worker: claims due messages, sends them, records the outcome.

Delivery promise: a message is marked sent in its own commit right after the mail
server accepted it. A worker killed at any point loses nothing: rows it had claimed
are released (at once by a worker on the same host, else when the claim expires) and
sent later. A message goes twice only when a kill comes between the server's
acceptance and that commit, or the connection is lost after the message's final dot
(before the server's answer arrives), and then with the same Message-ID. The claim on
the rest of a batch is renewed whenever half the lease has passed, so a slow batch
does not lose its rows to another worker. A mail server that is down, answers 421 or
drops the connection charges no message: the worker waits as a whole and goes on
where it stopped.
"""

import os
import signal
import socket
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import OutboxMessage
from ..models.types import utcnow
from . import delivery, kinds
from .transport import DeliveryError, open_transport

# Messages rendered at a time, read together: fewer queries per message, and a change
# made after their reading (a new address, a closed round) is still seen within seconds.
PREPARE_AHEAD = 25


class ServerUnavailable(Exception):
    """The mail server refuses every message (down, login or sender refused)."""


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
    # host:pid:random — the pid lets a worker on the same host see a dead one's claims;
    # the random part keeps containers with the same hostname and pid apart.
    name: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    )
    stopping: bool = False
    # Everything this worker did, also in passes a mail-server outage cut short.
    total: BatchResult = field(default_factory=BatchResult)

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
            if holder != self.name and not _process_alive(holder.split(":")[1]):
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
        self.total.claimed += len(ids)
        pending = list(ids)
        prepared: dict = {}
        renew_at = time.monotonic() + self.lease.total_seconds() / 2
        try:
            with open_transport() as transport, delivery.SentMarks() as marks:
                while pending and not self.stopping:
                    if time.monotonic() >= renew_at:
                        kept = delivery.renew_claims(pending, self.name, self.lease)
                        result.skipped += len(pending) - len(kept)  # taken by another
                        self.total.skipped += len(pending) - len(kept)
                        pending = kept
                        renew_at = time.monotonic() + self.lease.total_seconds() / 2
                        if not pending:
                            break
                    if pending[0] not in prepared:
                        prepared = delivery.prepare_many(pending[:PREPARE_AHEAD])
                    email = prepared.pop(pending[0], None)
                    meanwhile = _ahead(prepared, pending[1:])
                    outcome = self._send_one(transport, marks, pending[0], email, meanwhile)
                    result.count(outcome)
                    self.total.count(outcome)
                    pending.pop(0)
        except DeliveryError as error:
            # Not this message's fault (the server cannot be reached, refuses the login
            # or sender, answers 421 or drops the connection): charge no message, release
            # the batch; the caller waits before trying the server again.
            raise ServerUnavailable(
                f"mail server unavailable ({error.reason}); no message was charged, "
                "they stay queued"
            ) from None
        finally:
            if pending:
                _release(OutboxMessage.id.in_(pending) & (OutboxMessage.claimed_by == self.name))
                db.session.commit()
        return result

    def _send_one(self, transport, marks, message_id: int, email, meanwhile) -> str:
        """Hand over one prepared email (None: its row is gone) and record the outcome.
        While the server files it, `meanwhile` prepares the next: on two cores the
        server's time and ours overlap instead of adding up."""
        if email is None:
            return "skipped"
        if isinstance(email, delivery.Undeliverable):
            return delivery.record_failed(message_id, self.name, str(email))
        try:
            transport.hand_over(email)
            try:
                meanwhile()
            finally:  # the server's answer is read whatever happened meanwhile
                transport.verdict()
        except DeliveryError as error:
            if error.server_level:
                raise
            if error.permanent:
                return delivery.record_failed(message_id, self.name, error.reason)
            return delivery.record_retry(message_id, self.name, error.reason)
        except Exception as error:  # a message the mail library refuses to build
            current_app.logger.exception("outbox message %s refused", message_id)
            return delivery.record_failed(message_id, self.name, f"refused: {error}")
        marks.record(message_id, self.name)
        return "sent"

    def run_once(self) -> BatchResult:
        """Send everything due now, then return (retries scheduled later wait).

        Raises ServerUnavailable when the mail server cannot be used at all."""
        total = BatchResult()
        self.release_dead_claims()
        kinds.run_passes()  # mail whose moment has come (the rounds' automatic reminders)
        while not self.stopping:
            ids = self.claim()
            if not ids:
                break
            total.add(self.send_batch(ids))
        return total

    def run_forever(self, poll_seconds: float) -> BatchResult:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        pause = poll_seconds
        while not self.stopping:
            try:
                result = self.run_once()
            except ServerUnavailable as error:
                current_app.logger.warning("outbox worker: mail server unavailable: %s", error)
                time.sleep(pause)
                pause = min(pause * 2, 60)
                continue
            except Exception:  # the database is away: wait, retry
                current_app.logger.exception("outbox worker: round failed; retrying")
                db.session.rollback()
                db.session.remove()
                time.sleep(pause)
                pause = min(pause * 2, 60)
                continue
            pause = poll_seconds
            if not result.claimed:
                time.sleep(poll_seconds)
        return self.total

    def _stop(self, *_args) -> None:
        self.stopping = True


def _ahead(prepared: dict, rest: list[int]):
    """The head start on the next message, taken while the server answers for this
    one: its batch read and rendered (`delivery.prepare_many`), or its bytes written
    out. A failure here is left to meet again when that work is done in its turn."""

    def prepare_next() -> None:
        if not rest:
            return
        try:
            if rest[0] not in prepared:
                prepared.update(delivery.prepare_many(rest[:PREPARE_AHEAD]))
            upcoming = prepared.get(rest[0])
            if upcoming is not None and not isinstance(upcoming, delivery.Undeliverable):
                upcoming.as_bytes()
        except Exception:  # noqa: BLE001 -- met again, and reported, in its turn
            with suppress(Exception):  # nor may ending it raise: a message is in flight
                db.session.rollback()

    return prepare_next


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
