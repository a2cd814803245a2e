"""What an admin can do from a round's dashboard, each step recorded in the audit log.

Every function takes the acting admin and refuses units outside its region the same
way as units that do not exist (UnitNotVisible → 404)."""

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..auth.scope import visible_invitation
from ..extensions import db
from ..models import Admin, AuditEntry, Invitation, Round, Unit
from ..refusals import Refused, UnitNotVisible
from .mailing import (
    REMIND_ALL_AGAIN_AFTER_DAYS,
    ReminderRules,
    contact_email_changed,
    queue_invitations,
    queue_reminders,
    reissue_and_mail,
    resend_invitation,
)


def visible_unit_ids(round_: Round, admin: Admin, codes: list[str] | None) -> set[int]:
    """The active units invited to the round that the admin sees (among `codes`)."""
    query = admin.scope_invitations(
        select(Unit.id)
        .join(Invitation, Invitation.unit_id == Unit.id)
        .where(
            Invitation.round_id == round_.id,
            Invitation.unit_deactivated_at.is_(None),
            Unit.deactivated_at.is_(None),
        )
    )
    if codes is not None:
        query = query.where(Unit.code.in_(codes))
    return set(db.session.scalars(query))


def send_invitations(round_: Round, admin: Admin) -> int:
    """Queue the invitation of every unit the admin sees that was never mailed, as
    `flask invitations send` does (for a regional admin, only its region's units).
    Pressing twice queues nothing new; an empty press changes nothing, so records
    nothing."""
    unit_ids = None
    if not admin.is_national:
        query = select(Unit.id).where(Unit.deactivated_at.is_(None))
        unit_ids = set(db.session.scalars(admin.scope_units(query)))
    queued, _already = queue_invitations(round_, unit_ids=unit_ids)
    if queued:
        AuditEntry.record(
            admin,
            "send invitations",
            f"round {round_.slug}",
            None if admin.is_national else admin.region,
            after={"queued": queued},
        )
    return queued


@dataclass(frozen=True)
class Reminded:
    queued: int
    skipped: int  # not submitted, but mailed within REMIND_ALL_AGAIN_AFTER_DAYS


def remind(round_: Round, admin: Admin, codes: list[str] | None) -> Reminded:
    """Remind the units not yet submitted: the chosen ones (again, if the admin says
    so), or all the admin sees but those mailed within REMIND_ALL_AGAIN_AFTER_DAYS.
    Queueing nothing changes nothing, so records nothing."""
    unit_ids = visible_unit_ids(round_, admin, codes)
    if codes is not None and len(unit_ids) != len(set(codes)):
        raise UnitNotVisible()
    rules = ReminderRules()
    if codes is None:
        rules = ReminderRules(not_within_days=REMIND_ALL_AGAIN_AFTER_DAYS)
    waiting = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.round_id == round_.id,
            Invitation.unit_id.in_(unit_ids),
            Invitation.submitted_at.is_(None),
        )
    )
    queued = queue_reminders(round_, rules, unit_ids=unit_ids)
    skipped = waiting - queued
    if queued:
        AuditEntry.record(
            admin,
            "remind",
            f"round {round_.slug}" + (f": {', '.join(sorted(codes))}" if codes else ""),
            None if admin.is_national else admin.region,
            after={"queued": queued, "skipped": skipped} if skipped else {"queued": queued},
        )
    return Reminded(queued, skipped)


def resend(round_: Round, admin: Admin, code: str) -> bool:
    """Mail the unit's invitation (again); True when it had been mailed before."""
    return _mail_again(
        round_, admin, code, resend_invitation, "resend invitation", first="send invitation"
    )


def reissue(round_: Round, admin: Admin, code: str) -> bool:
    return _mail_again(round_, admin, code, reissue_and_mail, "re-issue link")


def _mail_again(
    round_: Round, admin: Admin, code: str, mail, action: str, first: str | None = None
) -> bool:
    """Mail a visible unit's invitation by `mail` (resend, or with a new link), audited
    as `action` (as `first`, when given, if it was never mailed); True when it had been
    mailed before."""
    invitation = visible_invitation(round_, admin, code)
    mailed_before = invitation.mailed_at is not None
    mail(invitation)
    AuditEntry.record(
        admin,
        action if mailed_before or first is None else first,
        f"round {round_.slug}: unit {code}",
        invitation.unit.region,
        after={"to": invitation.unit.contact_email},
    )
    return mailed_before


def change_contact_email(round_: Round, admin: Admin, code: str, email: str) -> None:
    """Correct a unit's address and mail its invitation there (unless it submitted)."""
    invitation = visible_invitation(round_, admin, code)
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise Refused("invalid email", code="invalid_email") from None
    unit = invitation.unit
    before = unit.contact_email
    unit.contact_email = email
    AuditEntry.record(
        admin,
        "change contact email",
        f"unit {code}",
        unit.region,
        before={"contact_email": before},
        after={"contact_email": email},
    )
    # The roster's rule mails the invitations mailed before; this round's invitation
    # goes as well when it never went, or when the same address was entered again.
    explicit = invitation.mailed_at is None or email == before
    if email != before:
        contact_email_changed(unit)
    if explicit and invitation.submitted_at is None and invitation.accepts_answers():
        resend_invitation(invitation)
