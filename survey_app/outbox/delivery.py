"""One claimed message: may it still go, what it says, and recording what happened.

Every step is its own short transaction, and none is open while the mail server is
talked to: on SQLite a transaction holds the write lock, on PostgreSQL it would sit
idle. Outcomes are recorded only while the row is still this worker's claim.
"""

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import selectinload

from ..database import AUTOCOMMIT, only_reading
from ..extensions import db
from ..models import Invitation, OutboxMessage, Round
from ..models.types import utcnow
from ..tokens import LinkUnavailable
from .kinds import kind_of
from .render import render_message
from .transport import Email


class Undeliverable(Exception):
    """This message must not go out (superseded, round closed, bad data)."""


def renew_claims(message_ids: list[int], worker: str, lease: timedelta) -> list[int]:
    """Extend this worker's claim on the rest of its batch; returns those still its own
    (in their order), leaving out any another worker took after the claim expired."""
    renewed = set(
        db.session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.claimed_by == worker,
                OutboxMessage.status == "queued",
            )
            .values(claimed_until=utcnow() + lease)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return [message_id for message_id in message_ids if message_id in renewed]


def prepare_many(message_ids: list[int]) -> dict[int, Email | Undeliverable]:
    """The email to hand over for each message, or why it must not go. One transaction,
    ended here, reads them all with their invitations, units and rounds (a handful of
    queries, not several per message); the worker prepares a few messages ahead, so a
    change made meanwhile (a new address, a closed round) is seen within seconds. It
    only reads: on SQLite it takes no write lock, so respondents' saves do not wait
    while it renders."""
    with only_reading():
        return _prepare_read(message_ids)


def _prepare_read(message_ids: list[int]) -> dict[int, Email | Undeliverable]:
    try:
        messages = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .options(
                selectinload(OutboxMessage.admin),
                selectinload(OutboxMessage.invitation).selectinload(Invitation.unit),
                selectinload(OutboxMessage.invitation)
                .selectinload(Invitation.round)
                .selectinload(Round.questionnaire_versions),
            )
        ).all()
        ahead = _read_ahead(messages)
        prepared: dict[int, Email | Undeliverable] = {}
        for message in messages:
            try:
                prepared[message.id] = _prepare(message, ahead.get(message.id))
            except Undeliverable as refusal:
                prepared[message.id] = refusal
        return prepared
    finally:
        db.session.rollback()


def _read_ahead(messages) -> dict[int, object]:
    """What each kind reads for all its messages of the batch at once (`read_ahead`)."""
    by_kind: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_kind.setdefault(message.kind, []).append(message)
    ahead: dict[int, object] = {}
    for same_kind in by_kind.values():
        try:
            read = kind_of(same_kind[0]).read_ahead
        except LookupError:
            continue  # refused by `_check_still_wanted`
        if read is not None:
            ahead.update(read(same_kind))
    return ahead


def _prepare(message: OutboxMessage, ahead=None) -> Email:
    """The email to hand over, or Undeliverable."""
    _check_still_wanted(message)
    try:
        rendered = render_message(message, ahead)
    except LinkUnavailable:
        raise Undeliverable("the link cannot be rebuilt: SECRET_KEY changed") from None
    except Exception as error:  # bad data in one message must not stop the others
        current_app.logger.exception("cannot render outbox message %s", message.id)
        raise Undeliverable(f"cannot render: {type(error).__name__}: {error}") from None
    email = Email(
        subject=" ".join(rendered.subject.split()),  # one line, whatever the data held
        recipients=[message.to_address],
        body=rendered.text,
        html=rendered.html,
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    email.msgId = message.message_id
    if email.has_bad_headers():
        raise Undeliverable("refused: a header would contain a line break")
    return email


def _check_still_wanted(message: OutboxMessage) -> None:
    try:
        kind = kind_of(message)
    except LookupError as error:
        raise Undeliverable(f"not sent: {error}") from None
    reason = kind.refusal(message)
    if reason:
        raise Undeliverable(reason)


_OUTBOX = OutboxMessage.__table__
# Built once: the worker runs it for every message it sends.
_MARK_SENT = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("outbox_id"),  # not "message_id": that is a column
        _OUTBOX.c.claimed_by == bindparam("claimant"),
        _OUTBOX.c.status == "queued",
    )
    .values(
        status="sent",
        sent_at=bindparam("now"),
        attempts=_OUTBOX.c.attempts + 1,
        last_error=None,
        claimed_by=None,
        claimed_until=None,
    )
)


class SentMarks:
    """Marks a batch's messages sent, each in its own commit right after the server
    took it. On PostgreSQL over one connection in autocommit: the UPDATE is its own
    transaction, one round trip where BEGIN, UPDATE and COMMIT took three (1.0 ms ->
    0.3 ms a message). On SQLite through the session, whose transactions queue for the
    write lock (`database.WriterQueue`) rather than in SQLite's busy handler."""

    def __enter__(self) -> "SentMarks":
        self.connection = self._connect() if db.engine.dialect.name == "postgresql" else None
        return self

    @staticmethod
    def _connect():
        return db.engine.connect().execution_options(**AUTOCOMMIT)

    def __exit__(self, *exc_info) -> None:
        if self.connection is not None:
            self.connection.close()

    def record(self, message_id: int, worker: str) -> bool:
        """Whether the message was still this worker's to send (as `_update_own`)."""
        parameters = {"outbox_id": message_id, "claimant": worker, "now": utcnow()}
        if self.connection is not None:
            try:
                return self.connection.execute(_MARK_SENT, parameters).rowcount == 1
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
            # The server dropped the batch's connection (a restart, an idle timeout):
            # the message was taken, so mark it over a new one rather than send it
            # twice. The mark is this worker's and queued only, so it is safe to repeat.
            self.connection.close()
            self.connection = self._connect()
            return self.connection.execute(_MARK_SENT, parameters).rowcount == 1
        done = db.session.execute(_MARK_SENT, parameters).rowcount == 1
        db.session.commit()
        return done


def record_failed(message_id: int, worker: str, reason: str) -> str:
    _update_own(
        message_id,
        worker,
        status="failed",
        attempts=OutboxMessage.attempts + 1,
        last_error=reason[:2000],
        claimed_by=None,
        claimed_until=None,
    )
    db.session.commit()
    return "failed"


def record_retry(message_id: int, worker: str, reason: str) -> str:
    """A transient failure: try again after a backoff, or give up at the limit."""
    message = db.session.get(OutboxMessage, message_id)
    attempts = message.attempts + 1
    db.session.rollback()
    if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        return record_failed(message_id, worker, f"gave up after {attempts} attempts: {reason}")
    _update_own(
        message_id,
        worker,
        attempts=attempts,
        last_error=reason[:2000],
        next_attempt_at=utcnow() + backoff(attempts),
        claimed_by=None,
        claimed_until=None,
    )
    db.session.commit()
    return "retried"


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter, capped."""
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    cap = current_app.config["OUTBOX_BACKOFF_MAX_SECONDS"]
    return timedelta(seconds=random.uniform(0.5, 1.0) * min(cap, base * 2 ** (attempts - 1)))  # noqa: S311


def _update_own(message_id: int, worker: str, **values) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == "queued",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
