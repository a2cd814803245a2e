"""Creating invitations, printing their links, re-issuing them, finding them by token."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import tokens
from ..extensions import db
from ..models import Invitation, Round, Unit
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

    Returns the invitations (by unit code) and how many were created.
    """
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


def create_invitation(round_: Round, unit: Unit) -> Invitation:
    salt = tokens.new_salt()
    _token, digest = tokens.issue(salt)
    invitation = Invitation(round=round_, unit=unit, token_salt=salt, token_hash=digest)
    db.session.add(invitation)
    db.session.flush()
    return invitation


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
