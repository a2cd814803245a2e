"""Where each unit of a round stands: its mail, whether it opened the link, its answers.

Counted and listed by the database from the data already kept (outbox rows, invitation
and response times): the totals in one `GROUP BY` however many units a round has, the
units a page at a time. `round_status` gives every unit (for `flask invitations
status`; status_table.py prints it), `counts` the numbers, `unit_page` one page.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import Select, and_, case, func, or_, select

from ..extensions import db
from ..models import Admin, Invitation, Response, Round, Unit
from ..models.admin import invitations_in_region, units_in_region
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

    def __add__(self, other: "Totals") -> "Totals":
        # Field by field: `astuple` deep-copies, and the dashboard adds a few hundred.
        return Totals(*(getattr(self, f) + getattr(other, f) for f in TOTALS_FIELDS))

    @property
    def response_rate(self) -> Decimal:
        """Submitted of invited, in percent with one decimal, rounded half up."""
        if not self.invited:
            return Decimal("0.0")
        rate = Decimal(100 * self.submitted) / Decimal(self.invited)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


NO_UNITS = Totals(0, 0, 0, 0, 0, 0, 0, 0, 0)
TOTALS_FIELDS = tuple(f.name for f in fields(Totals))


@dataclass(frozen=True)
class RoundStatus:
    round: Round
    units: list[UnitStatus]
    totals: Totals


def round_status(round_: Round, admin: Admin | None = None) -> RoundStatus:
    """Every unit of the round, by code, in `admin`'s region (None: every region)."""
    rows = db.session.execute(unit_rows(round_, admin).order_by("code")).all()
    return RoundStatus(round_, [_unit_status(row) for row in rows], counts(round_, admin).totals)


def unit_page(
    round_: Round, admin: Admin, *, waiting_only: bool, page: int, per_page: int
) -> list[UnitStatus]:
    """One page of units by code: all, or those invited that have not submitted
    (`waiting_only`; `counts` says how many). The page is chosen first and the mail
    states are decided for its units only."""
    rows = unit_rows(round_, admin, lean=True).subquery()
    query = select(rows.c.code, rows.c.invitation_id)
    if waiting_only:
        query = query.where(rows.c.invitation_id.is_not(None), rows.c.submitted_at.is_(None))
    query = query.order_by(rows.c.code).offset((page - 1) * per_page).limit(per_page)
    chosen = db.session.execute(query).all()
    if not chosen:
        return []
    codes = [code for code, _invitation in chosen]
    invitations = [invitation for _code, invitation in chosen if invitation is not None]
    page_rows = db.session.execute(
        unit_rows(round_, admin, paged=True).where(Unit.code.in_(codes)).order_by(Unit.code),
        {"mail_for": invitations},
    ).all()
    return [_unit_status(row) for row in page_rows]


def one_unit(round_: Round, admin: Admin, invitation_id: int) -> UnitStatus:
    """Where the unit of one invitation (that the admin may see) stands in the round."""
    row = db.session.execute(
        unit_rows(round_, admin, paged=True).where(Invitation.id == invitation_id),
        {"mail_for": [invitation_id]},
    ).one()
    return _unit_status(row)


@dataclass(frozen=True)
class Counts:
    """A round's numbers as the dashboard shows them, from one `GROUP BY`."""

    totals: Totals
    by_region: dict[str, Totals]
    by_field: dict[str, Totals]
    stages: dict[str, int]  # STAGES → invited units, summing to the invited
    unmailed: int  # units with no invitation mailed (never invited, or by link only)


def counts(round_: Round, admin: Admin | None) -> Counts:
    """The round's units in `admin`'s region counted by one `GROUP BY` region and
    field (a few dozen groups however many units), summed here into the totals, the
    breakdowns and the stages."""
    region = admin.seen_region if admin is not None else None
    query = _counts_statement(round_.id, round_.effective_state() == "closed", region)
    total, by_region, by_field, unmailed = NO_UNITS, {}, {}, 0
    stages = dict.fromkeys(STAGES, 0)
    for row in db.session.execute(query):
        region_name, field_name, *numbers = row[: 2 + len(TOTALS_FIELDS)]
        group = Totals(*(int(n or 0) for n in numbers))
        unmailed += int(row.unmailed or 0)
        for stage_name in STAGES:
            stages[stage_name] += int(getattr(row, f"stage_{stage_name}") or 0)
        total = total + group
        by_region[region_name] = by_region.get(region_name, NO_UNITS) + group
        by_field[field_name] = by_field.get(field_name, NO_UNITS) + group
    return Counts(total, by_region, by_field, stages, unmailed)


@lru_cache(maxsize=256)
def _counts_statement(round_id: int, closed: bool, region: str | None) -> Select:
    """`counts`' one `GROUP BY`, built once per process for each round and scope."""
    rows = _unit_rows(round_id, closed, region, False, False, detailed=False).subquery()

    def how_many(condition):
        return func.sum(case((condition, 1), else_=0))

    invited = rows.c.invitation_id.is_not(None)
    submitted = rows.c.submitted_at.is_not(None)
    drafting = rows.c.drafting == 1
    opened = rows.c.first_opened_at.is_not(None)
    # Each invited unit's furthest stage, counted as columns: grouped by region and
    # field only, the database aggregates a few dozen groups by hash, not by a sort.
    furthest = {
        "submitted": invited & submitted,
        "draft": invited & ~submitted & drafting,
        "opened": invited & ~submitted & ~drafting & opened,
        "not_opened": invited & ~submitted & ~drafting & ~opened,
    }
    query = select(
        rows.c.region,
        rows.c.field,
        func.count(),
        func.count(rows.c.invitation_id),
        how_many(rows.c.ever_sent == 1),
        how_many(rows.c.state == QUEUED),
        how_many(rows.c.state == FAILED),
        how_many(rows.c.state == BOUNCED),
        func.count(rows.c.first_opened_at),
        how_many(drafting),
        func.count(rows.c.submitted_at),
        how_many(rows.c.mailed_at.is_(None)).label("unmailed"),
        *(how_many(condition).label(f"stage_{name}") for name, condition in furthest.items()),
    ).group_by(rows.c.region, rows.c.field)
    return query


def unit_rows(
    round_: Round, admin: Admin | None, *, lean: bool = False, paged: bool = False
) -> Select:
    """A row per unit of the round with its invitation, mail and answers. While the
    round is open: the roster's units that are not deactivated, invited or not yet;
    once it is closed: the units it invited, as they were for it. The mail states are
    decided for every invitation of the round, or (`paged`) for those given when the
    statement runs, as the parameter `mail_for`; a `lean` row has only the unit and its
    invitation (to choose a page of units). `admin` None: every region."""
    region = admin.seen_region if admin is not None else None
    closed = round_.effective_state() == "closed"
    return _unit_rows(round_.id, closed, region, lean, paged)


@lru_cache(maxsize=256)
def _unit_rows(
    round_id: int, closed: bool, region: str | None, lean: bool, paged: bool, detailed: bool = True
):
    """`unit_rows`, built once per process for each of its shapes: building the mail
    states' subqueries costs milliseconds on every dashboard. A `Select` is never changed
    in place (`.where` makes a new one), so one may serve every request."""
    mail = None if lean else mail_states(round_id, paged=paged, detailed=detailed)
    # Answers saved and not submitted, or changes saved after a submission.
    drafting = or_(
        and_(Response.id.is_not(None), Invitation.submitted_at.is_(None)),
        Response.draft.is_not(None),
    )
    progress = (
        Invitation.id.label("invitation_id"),
        Invitation.first_opened_at,
        Invitation.submitted_at,
        Invitation.mailed_at,
        *(
            (
                case((drafting, 1), else_=0).label("drafting"),
                Response.updated_at,
                mail.c.state,
                mail.c.at,
                mail.c.reason,
                mail.c.ever_sent,
            )
            if not lean
            else ()
        ),
    )
    contact = (Unit.code, Unit.contact_email, Unit.contact_name)
    if closed:
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
            .where(Invitation.round_id == round_id, Invitation.unit_deactivated_at.is_(None))
        )
        query = invitations_in_region(query, region)
    else:
        query = (
            select(*contact, Unit.name, Unit.region, Unit.field, *progress)
            .select_from(Unit)
            .outerjoin(
                Invitation, (Invitation.unit_id == Unit.id) & (Invitation.round_id == round_id)
            )
            .where(Unit.deactivated_at.is_(None))
        )
        query = units_in_region(query, region)
    if lean:
        return query
    query = query.outerjoin(Response, Response.invitation_id == Invitation.id)
    return query.outerjoin(mail, mail.c.invitation_id == Invitation.id)


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
