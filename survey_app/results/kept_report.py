"""What names a round's kept report PDF, found without counting the report.

A closed round's answers can no longer change, so the round itself names its numbers.
An open round's numbers change only with its data, and counts that only grow name its
data's last change: its invitations (how many, the newest), the roster's values copied
into them (`Invitation.unit_copies`: a unit's field, region, status, deactivation) and
its submissions (each adds a row to the history; a draft adds none). Counts, not
newest times: two transactions may commit in either order, and a newest time read
between them would miss the one that committed last with the earlier time (the newest
invitation id only tells a deleted and a new invitation apart, should that ever be).
"""

from sqlalchemy import func, select

from ..extensions import db
from ..models import Invitation, Response, Round, SubmittedVersion
from .comparison import previous_round


def kept_shows(round_: Round, minimum: int) -> str:
    """Everything the report of `round_` shows but the moment it was read (an open
    round's PDF stays "as of" its drawing while nothing changed), named at any scale
    without reading an answer. The reader's language and region name its slot."""
    previous = previous_round(round_)
    rounds = [round_] if previous is None else [round_, previous]
    return repr(([_named(r) for r in rounds], minimum))


def _named(round_: Round) -> tuple:
    facts = (
        round_.slug,
        round_.title,
        round_.title_translations,
        round_.deadline,
        round_.state,
        round_.effective_state(),
        round_.closed_time(),
    )
    if round_.state == "closed":
        return facts
    return (*facts, *_changes(round_))


_INVITATIONS = select(
    func.count(Invitation.id), func.max(Invitation.id), func.sum(Invitation.unit_copies)
)
_SUBMISSIONS = (
    select(func.count(SubmittedVersion.id))
    .join(Response, SubmittedVersion.response_id == Response.id)
    .join(Invitation, Response.invitation_id == Invitation.id)
)


def _changes(round_: Round) -> tuple:
    invitations = db.session.execute(_INVITATIONS.where(Invitation.round_id == round_.id))
    submissions = db.session.scalar(_SUBMISSIONS.where(Invitation.round_id == round_.id))
    return (*invitations.one(), submissions)
