"""Region scoping: what an admin may see. National admins see every unit; a regional
admin only its own region's units, in every list and count. The rule itself is one
method, `Admin.scope_units` (a data-layer rule every feature uses); here are the
lookups built on it that several features share."""

from sqlalchemy import func, select

from ..extensions import db
from ..models import Admin, Invitation, Round, Unit
from ..refusals import UnitNotVisible


def visible_rounds(admin: Admin) -> list[tuple[Round, int, int]]:
    """Every round with its invited and submitted counts, as this admin may see them."""
    rounds = list(db.session.scalars(select(Round).order_by(Round.deadline.desc())))
    counts = {}
    query = (
        select(
            Invitation.round_id,
            func.count(Invitation.id),
            func.count(Invitation.submitted_at),
        )
        .where(Invitation.unit_deactivated_at.is_(None))
        .group_by(Invitation.round_id)
    )
    for round_id, invited, submitted in db.session.execute(admin.scope_invitations(query)):
        counts[round_id] = (invited, submitted)
    return [(round_, *counts.get(round_.id, (0, 0))) for round_ in rounds]


def visible_invitation(round_: Round, admin: Admin, code: str | None) -> Invitation:
    """The round's invitation of a unit this admin may act on: in its region for the
    round, counted by the round and not deactivated since; UnitNotVisible for any
    other (another region's, a deactivated one's, or none)."""
    query = admin.scope_invitations(
        select(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(
            Invitation.round_id == round_.id,
            Unit.code == (code or ""),
            Invitation.unit_deactivated_at.is_(None),
            Unit.deactivated_at.is_(None),
        )
    )
    invitation = db.session.scalar(query)
    if invitation is None:
        raise UnitNotVisible(code)
    return invitation
