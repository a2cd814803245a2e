"""Creating invitations, printing their links, re-issuing them, finding them by token."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import joinedload

from .. import tokens
from ..database import after_bulk_write
from ..extensions import db
from ..models import Invitation, Response, Round, Unit
from ..models.invitation import UNIT_SNAPSHOT
from ..models.types import utcnow
from ..tokens import LinkUnavailable
from .earlier import EARLIER_OF_LINK


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
    created = create_missing_invitations(round_, unit_ids)
    return list(db.session.scalars(invitations_of_round(round_, unit_ids))), created


def invitations_of_round(round_: Round, unit_ids: set[int] | None = None) -> Select:
    """The round's invitations of its units, by unit code: while it is open, of the
    roster's units not deactivated; once closed, of the units it counted."""
    query = select(Invitation).join(Unit, Invitation.unit_id == Unit.id)
    query = query.where(Invitation.round_id == round_.id).order_by(Unit.code)
    if round_.effective_state() == "closed":
        query = query.where(Invitation.unit_deactivated_at.is_(None))
    else:
        query = query.where(Unit.deactivated_at.is_(None))
    if unit_ids is not None:
        query = query.where(Invitation.unit_id.in_(unit_ids))
    return query


def create_missing_invitations(round_: Round, unit_ids: set[int] | None = None) -> int:
    """An invitation for every unit of the roster (not deactivated; among `unit_ids`
    when given) that has none in the round, in bulk; returns how many were made. Safe
    while another `send` or `links` runs: a row the other one made first is skipped.
    Nothing is made for a closed round."""
    if round_.effective_state() == "closed":
        return 0
    invited = select(Invitation.unit_id).where(Invitation.round_id == round_.id)
    missing = select(Unit).where(Unit.deactivated_at.is_(None), Unit.id.not_in(invited))
    if unit_ids is not None:
        missing = missing.where(Unit.id.in_(unit_ids))
    now = utcnow()
    created = 0
    rows = []
    for unit in db.session.scalars(missing.execution_options(yield_per=BATCH)):
        salt = tokens.new_salt()
        _token, digest = tokens.issue(salt)
        row = {"round_id": round_.id, "unit_id": unit.id, "token_salt": salt}
        row.update(token_hash=digest, token_issued_at=now, created_at=now)
        row.update({f"unit_{name}": getattr(unit, name) for name in UNIT_SNAPSHOT})
        rows.append(row)
        if len(rows) == BATCH:
            created += _insert_new(rows)
            rows = []
    if rows:
        created += _insert_new(rows)
    after_bulk_write("invitations", created)
    return created


def _insert_new(rows: list[dict]) -> int:
    """Insert these invitations, skipping any (round, unit) another run made first."""
    dialect = db.session.get_bind().dialect.name
    module = sqlite_dialect if dialect == "sqlite" else postgresql_dialect
    statement = (
        module.insert(Invitation)
        .on_conflict_do_nothing(index_elements=["round_id", "unit_id"])
        .returning(Invitation.id)
    )
    return len(db.session.execute(statement, rows).all())


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
    statement however many there are, and count the copy (`Invitation.unit_copies`)."""
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
        .values(**values, unit_copies=Invitation.unit_copies + 1)
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


def links_of_round(round_: Round) -> list[tuple[str, str, str]]:
    """(unit code, contact address, link) of every invitation of the round, by code, in
    one query; LinkUnavailable names a unit whose link the keys cannot rebuild."""
    base = current_app.config["BASE_URL"]
    query = invitations_of_round(round_).with_only_columns(
        Unit.code, Unit.contact_email, Invitation.token_salt, Invitation.token_hash
    )
    links = []
    for code, email, salt, digest in db.session.execute(query):
        token = tokens.rebuild(salt, digest)
        if token is None:
            raise LinkUnavailable(code)
        links.append((code, email, f"{base}/r/{token}"))
    return links


def link_for(invitation: Invitation) -> str:
    return f"{current_app.config['BASE_URL']}/r/{token_for(invitation)}"


# Built once: the respondent's every request runs it, and building it cost a third of
# its time. One query for the invitation, its unit, its round and the round's versions.
_BY_TOKEN_HASH = (
    select(Invitation)
    .options(
        joinedload(Invitation.unit),
        joinedload(Invitation.round).joinedload(Round.questionnaire_versions),
    )
    .where(Invitation.token_hash == bindparam("token_hash"))
)

# The same, with the unit's response to the round (without its answers) and the id of
# its latest earlier submission (its form's start when it has no response yet): the
# respondent's page wants all three, and each query fewer is a round trip fewer.
_WITH_RESPONSE_BY_TOKEN_HASH = _BY_TOKEN_HASH.add_columns(Response, EARLIER_OF_LINK).outerjoin(
    Response, Response.invitation_id == Invitation.id
)


def find_by_token(token: str) -> Invitation | None:
    """The invitation this token opens, or None for unknown, malformed, re-issued or
    expired tokens (the caller answers all of them with the same 404)."""
    found = _opened_by(token, _BY_TOKEN_HASH)
    return found[0] if found else None


def find_by_token_with_response(token: str) -> tuple[Invitation, Response | None, int | None]:
    """`find_by_token`, the unit's response to its round and the id of its latest
    earlier submission (None where there is none), in one query; (None, None, None)
    where the token opens nothing."""
    found = _opened_by(token, _WITH_RESPONSE_BY_TOKEN_HASH)
    return (found[0], found[1], found[2]) if found else (None, None, None)


def _opened_by(token: str, statement):
    """The first row of `statement` (an invitation first) for this token, when the
    token opens the invitation."""
    if not tokens.is_well_formed(token):
        return None
    found = db.session.execute(statement, {"token_hash": tokens.token_hash(token)})
    row = found.unique().first()
    if row is None:
        return None
    invitation = row[0]
    closed = invitation.round.closed_time()
    if closed is not None:
        days = current_app.config["TOKEN_DAYS_AFTER_CLOSE"]
        if utcnow() > closed + timedelta(days=days):
            return None
    if invitation.unit.deactivated_at is not None:
        return None
    return row
