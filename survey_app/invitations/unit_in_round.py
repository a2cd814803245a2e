"""One unit in one round, as its own page shows it to an admin: where it stands, every
email the round sent it, and what may be done now. The dashboard's list stays one
line per unit; a unit's actions live here."""

from dataclasses import dataclass

from sqlalchemy import select

from ..auth.scope import visible_invitation
from ..extensions import db
from ..models import Admin, Invitation, OutboxMessage, Round
from .status import UnitStatus, one_unit


@dataclass(frozen=True)
class UnitInRound:
    round: Round
    invitation: Invitation
    status: UnitStatus
    messages: list[OutboxMessage]  # oldest first: invitations, reminders, receipts

    @property
    def may_be_mailed(self) -> bool:
        """Mail goes to a unit that may still answer and has not submitted."""
        return self.invitation.submitted_at is None and self.invitation.accepts_answers()

    @property
    def was_mailed(self) -> bool:
        """ "Resend" is for a unit that was mailed; one never mailed is sent its first."""
        return self.invitation.mailed_at is not None


def unit_in_round(round_: Round, admin: Admin, code: str) -> UnitInRound:
    """The unit `code` in the round; UnitNotVisible (a 404) outside the admin's scope."""
    invitation = visible_invitation(round_, admin, code)
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.invitation_id == invitation.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    return UnitInRound(round_, invitation, one_unit(round_, admin, invitation.id), list(messages))
