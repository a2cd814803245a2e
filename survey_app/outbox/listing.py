"""The outbox for admins: counts by state, a filtered page of messages, one message
with the mail captured in local use, and the retry of failed messages (audited).

Region rule: a regional admin sees the messages of its region's units only (through
`Admin.scope_units`); messages to admins (password resets) have no unit, so only national
admins see them, and their text (a reset link) is never shown to anyone."""

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.parser import BytesParser

from flask import current_app
from sqlalchemy import Select, and_, func, select

from ..extensions import db
from ..models import Admin, AuditEntry, Invitation, OutboxMessage, Round, Unit
from ..models.outbox import MESSAGE_KINDS
from ..refusals import Refused
from .kinds import secret_kinds
from .queue import requeue_failed
from .transport import captured_mail_dir, eml_name

STATES = ("queued", "sent", "bounced", "failed")
PAGE_SIZE = 50
CAPTURED_MAX_BYTES = 1_000_000
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


class MessageNotVisible(LookupError):
    """No such message, or not one this admin may see: the page answers 404."""


@dataclass(frozen=True)
class OutboxFilter:
    state: str | None = None
    kind: str | None = None
    round_slug: str | None = None


@dataclass(frozen=True)
class MessageRow:
    message: OutboxMessage
    unit: Unit | None
    round: Round | None

    @property
    def state(self) -> str:
        return state_of(self.message)

    @property
    def last_attempt_due_at(self) -> datetime | None:
        """For a failed message, when its last attempt became due: the worker tried it
        then or later (no column records the moment itself). None otherwise."""
        if self.message.status == "failed":
            return self.message.next_attempt_at
        return None

    @property
    def answer(self) -> str | None:
        """The server's answer (or the reason it was not sent): failures, bounces,
        and the last transient failure of a message waiting to be retried."""
        return self.message.last_error


@dataclass(frozen=True)
class CapturedMail:
    headers: list[tuple[str, str]]
    text: str


def state_of(message: OutboxMessage) -> str:
    if message.status == "sent" and message.bounced_at is not None:
        return "bounced"
    return message.status


def kinds_for(admin: Admin) -> tuple[str, ...]:
    """The kinds of mail the admin may filter by: a regional admin sees no admin's mail."""
    if admin.is_national:
        return MESSAGE_KINDS
    return tuple(kind for kind in MESSAGE_KINDS if kind not in secret_kinds())


def _visible(query: Select, admin: Admin) -> Select:
    query = (
        query.outerjoin(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .outerjoin(Unit, Unit.id == Invitation.unit_id)
        .outerjoin(Round, Round.id == Invitation.round_id)
    )
    # A regional admin: only rows with a unit of its region (never an admin's mail).
    return admin.scope_units(query)


def _state_condition(state: str):
    if state == "sent":
        return and_(OutboxMessage.status == "sent", OutboxMessage.bounced_at.is_(None))
    if state == "bounced":
        return and_(OutboxMessage.status == "sent", OutboxMessage.bounced_at.is_not(None))
    return OutboxMessage.status == state


def _filtered(query: Select, admin: Admin, filters: OutboxFilter) -> Select:
    query = _visible(query, admin)
    if filters.state:
        query = query.where(_state_condition(filters.state))
    if filters.kind:
        query = query.where(OutboxMessage.kind == filters.kind)
    if filters.round_slug:
        query = query.where(Round.slug == filters.round_slug)
    return query


def counts(admin: Admin, filters: OutboxFilter = OutboxFilter()) -> dict[str, int]:
    """Messages by state among those the admin sees (of the kind and round chosen)."""
    bounced = OutboxMessage.bounced_at.is_not(None)
    query = _filtered(
        select(OutboxMessage.status, bounced, func.count(OutboxMessage.id)),
        admin,
        OutboxFilter(kind=filters.kind, round_slug=filters.round_slug),
    ).group_by(OutboxMessage.status, bounced)
    result = dict.fromkeys(STATES, 0)
    for status, was_bounced, number in db.session.execute(query):
        result["bounced" if status == "sent" and was_bounced else status] += number
    return result


def messages(admin: Admin, filters: OutboxFilter, page: int = 1) -> tuple[list[MessageRow], bool]:
    """One page of messages, newest first, and whether an older page exists."""
    query = (
        _filtered(select(OutboxMessage, Unit, Round), admin, filters)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    rows = [MessageRow(*row) for row in db.session.execute(query)]
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def round_choices() -> list[Round]:
    """Every round (rounds are not regional; their messages are)."""
    return list(db.session.scalars(select(Round).order_by(Round.deadline.desc())))


def visible_message(admin: Admin, message_id: int) -> MessageRow:
    query = _visible(select(OutboxMessage, Unit, Round), admin).where(
        OutboxMessage.id == message_id
    )
    row = db.session.execute(query).first()
    if row is None:
        raise MessageNotVisible(message_id)
    return MessageRow(*row)


def captured_mail(message: OutboxMessage) -> CapturedMail | None:
    """The message as written to its .eml file in local use (no MAIL_SERVER), or None:
    when reading them is off (MAIL_CAPTURE_VIEW, off in production), with a real mail
    server, before the worker wrote it, and always for a password reset (its link would
    let anyone who reads it into that admin's account)."""
    if not captured_mail_enabled() or message.kind in secret_kinds():
        return None
    folder = captured_mail_dir()
    path = folder / eml_name(message.message_id)
    if path.parent != folder or not path.is_file():
        return None
    with path.open("rb") as file:
        raw = file.read(CAPTURED_MAX_BYTES)
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        headers = [(name, str(parsed[name])) for name in SHOWN_HEADERS if parsed[name]]
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
    except (MessageError, ValueError, LookupError):
        return CapturedMail(headers=[], text=raw.decode("utf-8", "replace"))
    return CapturedMail(headers=headers, text=text)


def captured_mail_enabled() -> bool:
    """Captured mail is shown only in local use: the files hold working personal links,
    so a production site (where MAIL_CAPTURE_VIEW is off) never serves them, even
    while it runs without a mail server."""
    return bool(current_app.config.get("MAIL_CAPTURE_VIEW")) and captured_mail_dir() is not None


def retry_one(admin: Admin, message_id: int) -> None:
    """Queue one failed message again (what `flask outbox retry` does for it)."""
    row = visible_message(admin, message_id)
    message = row.message
    if message.status != "failed":
        raise Refused(f"message {message_id} has not failed", code="not_failed")
    before = {"status": "failed", "attempts": message.attempts, "answer": message.last_error}
    requeue_failed(message_ids=[message.id])
    AuditEntry.record(
        admin,
        "retry mail",
        f"outbox message {message.id}: {message.kind} to {message.to_address}",
        row.unit.region if row.unit else None,
        before=before,
        after={"status": "queued"},
    )


def retry_failed(admin: Admin, filters: OutboxFilter) -> int:
    """Queue again every failed message the admin sees (of the kind and round chosen)."""
    query = _filtered(
        select(OutboxMessage.id),
        admin,
        OutboxFilter(state="failed", kind=filters.kind, round_slug=filters.round_slug),
    )
    ids = set(db.session.scalars(query))
    if not ids:
        return 0
    queued = requeue_failed(message_ids=ids)
    AuditEntry.record(
        admin,
        "retry mail",
        "outbox: failed messages"
        + "".join(f", {name} {value}" for name, value in _described(filters)),
        None if admin.is_national else admin.region,
        after={"queued": queued},
    )
    return queued


def _described(filters: OutboxFilter) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in (("kind", filters.kind), ("round", filters.round_slug))
        if value
    ]
