"""A unit's latest earlier submission: the invitation to the latest round that ended
before this one and that it submitted in. Its answers are where the unit's profile
starts from in the new round's form, and its invitation mail says so."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Answer, Invitation, Response, Round


def latest_earlier(unit_id, round_id, deadline):
    """SQL for the id of the unit's latest earlier submission (its invitation), for
    these values, or bind parameters (a statement built once: `EARLIER_PROFILE`), or an
    enclosing query's columns (the caller correlates it: its own tables are aliases,
    so any of ours can enclose it)."""
    earlier, its_round = aliased(Invitation), aliased(Round)
    return (
        select(earlier.id)
        .join(its_round, earlier.round_id == its_round.id)
        .where(
            earlier.unit_id == unit_id,
            earlier.round_id != round_id,
            earlier.submitted_at.is_not(None),
            its_round.deadline < deadline,
        )
        .order_by(its_round.deadline.desc(), earlier.submitted_at.desc())
        .limit(1)
    )


def _profile_of(invitation_id):
    """The answers (item code, value) of this invitation's response, as stored."""
    return (
        select(Answer.item_code, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.invitation_id == invitation_id)
        .order_by(Answer.id)
    )


# The answers of the latest earlier submission for the bind parameters unit_id, round_id
# and deadline; and of the invitation whose id is bound (as `EARLIER_OF_LINK` found it).
EARLIER_PROFILE = _profile_of(
    latest_earlier(
        bindparam("unit_id"), bindparam("round_id"), bindparam("deadline")
    ).scalar_subquery()
)
PROFILE_OF_INVITATION = _profile_of(bindparam("invitation_id"))


# The latest earlier submission of the invitation its enclosing query reads (the
# respondent's link: invitations.services.find_by_token_with_response).
_THIS_ROUND = aliased(Round)
EARLIER_OF_LINK = (
    latest_earlier(Invitation.unit_id, Invitation.round_id, _THIS_ROUND.deadline)
    .where(_THIS_ROUND.id == Invitation.round_id)
    .correlate(Invitation)
    .scalar_subquery()
)


def with_earlier_answers(invitations: list[Invitation], codes: list[str]) -> set[int]:
    """Those of these invitations (to one round) whose form will start from the unit's
    answers to these items: its latest earlier submission (as
    respond.services.previous_profile) answered one of them. One query for a batch of
    the outbox's mail, which says so only then."""
    if not codes or not invitations:
        return set()
    round_ = invitations[0].round
    outer = aliased(Invitation)
    # Of each invitation's own unit (correlated through both subqueries, not joined).
    earlier = (
        latest_earlier(outer.unit_id, round_.id, round_.deadline).correlate(outer).scalar_subquery()
    )
    answered = (
        select(Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.invitation_id == earlier, Answer.item_code.in_(codes))
        .exists()
    )
    ids = [invitation.id for invitation in invitations]
    return set(db.session.scalars(select(outer.id).where(outer.id.in_(ids), answered)))
