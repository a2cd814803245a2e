"""Creating invitations, printing their links, re-issuing them, finding them by token."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import tokens
from ..extensions import db
from ..models import Invitation, Round, Unit
from ..models.invitation import UNIT_SNAPSHOT
from ..models.types import utcnow
from ..tokens import LinkUnavailable


def units_of_round(round_: Round) -> list[Unit]:
    """A round covers every unit of the roster that is not deactivated."""
    return list(
        db.session.scalars(select(Unit).where(Unit.deactivated_at.is_(None)).order_by(Unit.code))
    )


def ensure_invitations(
    round_: Round, unit_ids: set[int] | None = None
) -> tuple[list[Invitation], int]:
    """Every unit of the round with its invitation, creating the missing ones; only
    the units among `unit_ids` when given (a regional admin's send leaves the other
    regions' units untouched).

    Returns the invitations (by unit code) and how many were created. Once the round
    is closed nothing is created: it keeps the invitations it had, and its numbers.
    """
    if round_.effective_state() == "closed":
        return _kept(round_, unit_ids), 0
    existing = {
        invitation.unit_id: invitation
        for invitation in db.session.scalars(select(Invitation).filter_by(round_id=round_.id))
    }
    created = 0
    result = []
    for unit in units_of_round(round_):
        if unit_ids is not None and unit.id not in unit_ids:
            continue
        invitation = existing.get(unit.id)
        if invitation is None:
            try:
                with db.session.begin_nested():
                    invitation = create_invitation(round_, unit)
                created += 1
            except IntegrityError:  # `send` and `links` at once: the other one made it
                invitation = db.session.scalar(
                    select(Invitation).filter_by(round_id=round_.id, unit_id=unit.id)
                )
        result.append(invitation)
    return result, created


def _kept(round_: Round, unit_ids: set[int] | None) -> list[Invitation]:
    """A closed round's invitations of the units it counts, by unit code."""
    query = (
        select(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(Invitation.round_id == round_.id, Invitation.unit_deactivated_at.is_(None))
        .order_by(Unit.code)
    )
    if unit_ids is not None:
        query = query.where(Invitation.unit_id.in_(unit_ids))
    return list(db.session.scalars(query))


def uninvited(round_: Round) -> int:
    """Units of the roster (not deactivated) that have no invitation in the round."""
    invited = select(Invitation.unit_id).where(Invitation.round_id == round_.id)
    query = select(func.count(Unit.id)).where(
        Unit.deactivated_at.is_(None), Unit.id.not_in(invited)
    )
    return db.session.scalar(query) or 0


def create_invitation(round_: Round, unit: Unit) -> Invitation:
    salt = tokens.new_salt()
    _token, digest = tokens.issue(salt)
    invitation = Invitation(round=round_, unit=unit, token_salt=salt, token_hash=digest)
    invitation.copy_unit()
    db.session.add(invitation)
    db.session.flush()
    return invitation


BATCH = 1000


def follow_roster(units: list[Unit]) -> None:
    """After the roster changed: the units' invitations to rounds not yet closed take
    the units' values as they are now; a closed round's invitations keep theirs."""
    ids = [unit.id for unit in units]
    open_rounds = select(Round.id).where(Round.not_closed()).scalar_subquery()
    for start in range(0, len(ids), BATCH):  # a bounded IN list, however large the import
        chunk = ids[start : start + BATCH]
        _copy_units(Invitation.unit_id.in_(chunk) & Invitation.round_id.in_(open_rounds))


def refresh_round(round_: Round) -> None:
    """A round that takes answers again (its deadline extended) follows the roster
    again, from the roster as it is now."""
    _copy_units(Invitation.round_id == round_.id)


def _copy_units(which) -> None:
    """Copy the units' current values into the invitations chosen by `which`, in one
    statement however many there are."""
    db.session.flush()  # the roster's own changes first
    values = {
        f"unit_{name}": select(getattr(Unit, name))
        .where(Unit.id == Invitation.unit_id)
        .scalar_subquery()
        for name in UNIT_SNAPSHOT
    }
    db.session.execute(
        update(Invitation)
        .where(which)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()  # invitations already loaded show the new values


def reissue_token(invitation: Invitation) -> str:
    """Give the invitation a new link; the old one answers 404 from now on."""
    salt = tokens.new_salt()
    token, digest = tokens.issue(salt)
    invitation.token_salt = salt
    invitation.token_hash = digest
    invitation.token_issued_at = utcnow()
    db.session.flush()
    return token


def token_for(invitation: Invitation) -> str:
    token = tokens.rebuild(invitation.token_salt, invitation.token_hash)
    if token is None:
        raise LinkUnavailable(invitation.unit.code)
    return token


def link_for(invitation: Invitation) -> str:
    return f"{current_app.config['BASE_URL']}/r/{token_for(invitation)}"


def find_by_token(token: str) -> Invitation | None:
    """The invitation this token opens, or None for unknown, malformed, re-issued or
    expired tokens (the caller answers all of them with the same 404)."""
    if not tokens.is_well_formed(token):
        return None
    invitation = db.session.scalar(
        select(Invitation).filter_by(token_hash=tokens.token_hash(token))
    )
    if invitation is None:
        return None
    closed = invitation.round.closed_time()
    if closed is not None:
        days = current_app.config["TOKEN_DAYS_AFTER_CLOSE"]
        if utcnow() > closed + timedelta(days=days):
            return None
    if invitation.unit.deactivated_at is not None:
        return None
    return invitation
