"""Where each unit of a round stands: its mail, whether it opened the link, its answers.

Counted and listed by the database from the data already kept (outbox rows, invitation
and response times): the totals in one `GROUP BY` however many units a round has, the
units a page at a time. `round_status` gives every unit (for `flask invitations
status`; status_table.py prints it), `totals` the numbers, `unit_page` one page.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, and_, case, func, or_, select

from ..extensions import db
from ..models import Admin, Invitation, Response, Round, Unit
from .mail_state import BOUNCED, FAILED, NOT_INVITED, NOT_MAILED, QUEUED, mail_states

# Each invited unit stands at exactly one stage: the furthest it reached.
STAGES = ("submitted", "draft", "opened", "not_opened")


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


def round_status(round_: Round, admin: Admin | None = None) -> RoundStatus:
    """Every unit of the round, by code, in `admin`'s region (None: every region)."""
    rows = db.session.execute(unit_rows(round_, admin).order_by("code")).all()
    return RoundStatus(round_, [_unit_status(row) for row in rows], totals(round_, admin)[None])


def unit_page(
    round_: Round, admin: Admin, *, waiting_only: bool, page: int, per_page: int
) -> tuple[int, list[UnitStatus]]:
    """(how many, one page of units by code): all, or those invited that have not
    submitted (`waiting_only`)."""
    rows = unit_rows(round_, admin).subquery()
    query = select(rows)
    if waiting_only:
        query = query.where(rows.c.invitation_id.is_not(None), rows.c.submitted_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page_rows = db.session.execute(
        query.order_by(rows.c.code).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return total, [_unit_status(row) for row in page_rows]


def totals(round_: Round, admin: Admin | None, group_by: str | None = None) -> dict:
    """{group: Totals} of the round's units in `admin`'s region, counted by one
    `GROUP BY`: by "region" or "field", or {None: Totals} for all."""
    rows = unit_rows(round_, admin).subquery()
    group = [rows.c[group_by]] if group_by else []

    def how_many(condition):
        return func.sum(case((condition, 1), else_=0))

    query = select(
        *group,
        func.count(),
        func.count(rows.c.invitation_id),
        how_many(rows.c.ever_sent == 1),
        how_many(rows.c.state == QUEUED),
        how_many(rows.c.state == FAILED),
        how_many(rows.c.state == BOUNCED),
        func.count(rows.c.first_opened_at),
        how_many(rows.c.drafting == 1),
        func.count(rows.c.submitted_at),
    ).group_by(*group)
    result = {
        (row[0] if group else None): Totals(*(int(n or 0) for n in row[len(group) :]))
        for row in db.session.execute(query)
    }
    if not group and None not in result:
        result[None] = Totals(0, 0, 0, 0, 0, 0, 0, 0, 0)
    return result


def stages(round_: Round, admin: Admin | None) -> dict[str, int]:
    """How many invited units stand at each stage (the furthest each reached)."""
    rows = unit_rows(round_, admin).subquery()
    stage = case(
        (rows.c.submitted_at.is_not(None), "submitted"),
        (rows.c.drafting == 1, "draft"),
        (rows.c.first_opened_at.is_not(None), "opened"),
        else_="not_opened",
    )
    query = select(stage, func.count()).where(rows.c.invitation_id.is_not(None)).group_by(stage)
    result = dict.fromkeys(STAGES, 0)
    result.update({name: count for name, count in db.session.execute(query)})
    return result


def unit_rows(round_: Round, admin: Admin | None) -> Select:
    """A row per unit of the round with its invitation, mail and answers. While the
    round is open: the roster's units that are not deactivated, invited or not yet;
    once it is closed: the units it invited, as they were for it."""
    mail = mail_states(round_)
    # Answers saved and not submitted, or changes saved after a submission.
    drafting = or_(
        and_(Response.id.is_not(None), Invitation.submitted_at.is_(None)),
        Response.draft.is_not(None),
    )
    progress = (
        Invitation.id.label("invitation_id"),
        Invitation.first_opened_at,
        Invitation.submitted_at,
        case((drafting, 1), else_=0).label("drafting"),
        Response.updated_at,
        mail.c.state,
        mail.c.at,
        mail.c.reason,
        mail.c.ever_sent,
    )
    contact = (Unit.code, Unit.contact_email, Unit.contact_name)
    if round_.effective_state() == "closed":
        query = (
            select(
                *contact,
                Invitation.unit_name.label("name"),
                Invitation.unit_region.label("region"),
                Invitation.unit_field.label("field"),
                *progress,
            )
            .select_from(Invitation)
            .join(Unit, Invitation.unit_id == Unit.id)
            .where(Invitation.round_id == round_.id, Invitation.unit_deactivated_at.is_(None))
        )
        query = admin.scope_invitations(query) if admin is not None else query
    else:
        query = (
            select(*contact, Unit.name, Unit.region, Unit.field, *progress)
            .select_from(Unit)
            .outerjoin(
                Invitation, (Invitation.unit_id == Unit.id) & (Invitation.round_id == round_.id)
            )
            .where(Unit.deactivated_at.is_(None))
        )
        query = admin.scope_units(query) if admin is not None else query
    return query.outerjoin(Response, Response.invitation_id == Invitation.id).outerjoin(
        mail, mail.c.invitation_id == Invitation.id
    )


def _unit_status(row) -> UnitStatus:
    if row.invitation_id is None:
        mail = MailStatus(NOT_INVITED)
    elif row.state is None:
        mail = MailStatus(NOT_MAILED)
    else:
        mail = MailStatus(row.state, row.at, row.reason)
    return UnitStatus(
        code=row.code,
        name=row.name,
        contact_email=row.contact_email,
        contact_name=row.contact_name,
        region=row.region,
        field=row.field,
        invited=row.invitation_id is not None,
        mail=mail,
        ever_sent=bool(row.ever_sent),
        opened_at=row.first_opened_at,
        draft_saved_at=row.updated_at if row.drafting else None,
        submitted_at=row.submitted_at,
    )
