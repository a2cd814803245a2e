"""Where each unit of a round stands: its mail, whether it opened the link, its answers.

Computed from the data already kept (outbox rows, invitation and response times), in
three queries for a whole round however many units it has. `round_status` returns
dataclasses; status_table.py turns them into the table `flask invitations status` prints.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, select

from ..extensions import db
from ..models import Admin, Invitation, OutboxMessage, Response, Round, Unit

# Mail states, from the invitation and reminder emails (receipts do not count).
NOT_INVITED = "not invited"  # no invitation (neither `send` nor `links` ran for it)
NOT_MAILED = "not mailed"  # an invitation (from `links`), no email queued
QUEUED = "queued"  # an email waits (or is being retried); none reached the unit before
SENT = "sent"  # the mail server took it
FAILED = "failed"  # the server refused it, or retries ran out
BOUNCED = "bounced"  # the server took it, then reported it undeliverable


@dataclass(frozen=True)
class MailRow:
    """The fields of one invitation or reminder email that its state depends on."""

    id: int
    status: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    bounced_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class MailStatus:
    state: str
    at: datetime | None = None
    reason: str | None = None  # why it failed or bounced; for `queued`, the last retry's


@dataclass(frozen=True)
class UnitStatus:
    code: str
    name: str
    contact_email: str
    contact_name: str
    region: str
    field: str
    invited: bool
    mail: MailStatus
    ever_sent: bool  # some invitation or reminder was taken by the mail server
    opened_at: datetime | None
    draft_saved_at: datetime | None  # unsent answers saved, before or after a submit
    submitted_at: datetime | None


@dataclass(frozen=True)
class Totals:
    units: int
    invited: int
    mailed: int  # the mail server took at least one invitation or reminder
    queued: int
    failed: int
    bounced: int
    opened: int
    draft: int  # has a saved draft (also counts a draft saved after submitting)
    submitted: int

    @property
    def response_rate(self) -> Decimal:
        """Submitted of invited, in percent with one decimal, rounded half up."""
        if not self.invited:
            return Decimal("0.0")
        rate = Decimal(100 * self.submitted) / Decimal(self.invited)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RoundStatus:
    round: Round
    units: list[UnitStatus]
    totals: Totals


def mail_status(rows: list[MailRow]) -> MailStatus:
    """The state of a unit's mail, from its emails in the order they were queued.

    The latest email that is done (sent or failed) decides; an email still waiting
    shows as `queued` unless an earlier one reached the unit (sent, not bounced).
    """
    if not rows:
        return MailStatus(NOT_MAILED)
    done = [row for row in rows if row.status != "queued"]
    latest = done[-1] if done else None
    waiting = [row for row in rows if row.status == "queued"]
    reached = latest is not None and latest.status == "sent" and latest.bounced_at is None
    if waiting and not reached:
        return MailStatus(QUEUED, waiting[-1].created_at, waiting[-1].last_error)
    if latest.status == "failed":
        # No column keeps the failing attempt's time: that attempt was due then.
        return MailStatus(FAILED, latest.next_attempt_at, latest.last_error)
    if latest.bounced_at is not None:
        return MailStatus(BOUNCED, latest.bounced_at, latest.last_error)
    return MailStatus(SENT, latest.sent_at)


def count(units: list[UnitStatus]) -> Totals:
    return Totals(
        units=len(units),
        invited=sum(u.invited for u in units),
        mailed=sum(u.ever_sent for u in units),
        queued=sum(u.mail.state == QUEUED for u in units),
        failed=sum(u.mail.state == FAILED for u in units),
        bounced=sum(u.mail.state == BOUNCED for u in units),
        opened=sum(u.opened_at is not None for u in units),
        draft=sum(u.draft_saved_at is not None for u in units),
        submitted=sum(u.submitted_at is not None for u in units),
    )


def round_status(round_: Round, admin: Admin | None = None) -> RoundStatus:
    """Every unit of the round, by code, in `admin`'s region (None: every region).

    While the round is open: the roster's units that are not deactivated, invited or
    not yet. Once it is closed: the units it invited, as they were for it."""
    mails = _mail_rows(round_)
    if round_.effective_state() == "closed":
        query = _invited_as_they_were(round_)
        if admin is not None:
            query = admin.scope_invitations(query)
    else:
        query = _roster_now(round_)
        if admin is not None:
            query = admin.scope_units(query)
    units = []
    for (
        code,
        name,
        email,
        contact_name,
        region,
        field,
        inv_id,
        opened,
        submitted,
        response_id,
        has_draft,
        updated,
    ) in db.session.execute(query):
        rows = mails.get(inv_id, [])
        # Answers saved and not submitted, or changes saved after a submission.
        drafting = (response_id is not None and submitted is None) or bool(has_draft)
        units.append(
            UnitStatus(
                code=code,
                name=name,
                contact_email=email,
                contact_name=contact_name,
                region=region,
                field=field,
                invited=inv_id is not None,
                mail=mail_status(rows) if inv_id is not None else MailStatus(NOT_INVITED),
                ever_sent=any(row.status == "sent" for row in rows),
                opened_at=opened,
                draft_saved_at=updated if drafting else None,
                submitted_at=submitted,
            )
        )
    return RoundStatus(round_, units, count(units))


_PROGRESS = (
    Invitation.id,
    Invitation.first_opened_at,
    Invitation.submitted_at,
    Response.id,
    Response.draft.is_not(None),
    Response.updated_at,
)


def _roster_now(round_: Round) -> Select:
    return (
        select(
            Unit.code,
            Unit.name,
            Unit.contact_email,
            Unit.contact_name,
            Unit.region,
            Unit.field,
            *_PROGRESS,
        )
        .select_from(Unit)
        .outerjoin(Invitation, (Invitation.unit_id == Unit.id) & (Invitation.round_id == round_.id))
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Unit.deactivated_at.is_(None))
        .order_by(Unit.code)
    )


def _invited_as_they_were(round_: Round) -> Select:
    return (
        select(
            Unit.code,
            Invitation.unit_name,
            Unit.contact_email,
            Unit.contact_name,
            Invitation.unit_region,
            Invitation.unit_field,
            *_PROGRESS,
        )
        .select_from(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id == round_.id, Invitation.unit_deactivated_at.is_(None))
        .order_by(Unit.code)
    )


def _mail_rows(round_: Round) -> dict[int, list[MailRow]]:
    query = (
        select(
            OutboxMessage.invitation_id,
            OutboxMessage.id,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.next_attempt_at,
            OutboxMessage.sent_at,
            OutboxMessage.bounced_at,
            OutboxMessage.last_error,
        )
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(
            Invitation.round_id == round_.id,
            OutboxMessage.kind.in_(("invitation", "reminder")),
        )
        .order_by(OutboxMessage.invitation_id, OutboxMessage.id)
    )
    result: dict[int, list[MailRow]] = defaultdict(list)
    for invitation_id, *fields in db.session.execute(query):
        result[invitation_id].append(MailRow(*fields))
    return result
