"""The invitation and reminder emails: what they say and when they must not go out any
more. Registered with the outbox as mail kinds (`MAIL_KINDS`); the personal link is
built here at send time, never stored with the queued row."""

from flask_babel import gettext as _

from ..models import OutboxMessage, Round
from ..outbox.kinds import MailKind, RenderedMessage
from ..outbox.render import from_templates
from .contacts import sender_for
from .earlier import with_earlier_answers
from .email_texts import email_text_for, render_email_text
from .services import link_for


def round_mail_context(message: OutboxMessage) -> dict:
    """What every email about one unit's invitation to a round shows (the receipt too)."""
    invitation = message.invitation
    round_ = invitation.round
    title, title_language = round_.title_in(message.language)
    return {
        "kind": message.kind,
        "unit": invitation.unit,
        "round": round_,
        "round_title": title,
        "round_title_language": title_language,
        "language": message.language,
        "link": link_for(invitation),
        "summary": [],
        "sender": sender_for(invitation.unit_region, message.language),
        # Answers can still change (the receipt promises corrections only then).
        "open": invitation.accepts_answers(),
    }


def unit_gone(message: OutboxMessage) -> str | None:
    """No mail about a round goes to a unit that was deactivated since it was queued."""
    if message.invitation.unit.deactivated_at is not None:
        return "not sent: the unit was deactivated"
    return None


def _render(message: OutboxMessage, prefilled: bool | None = None) -> RenderedMessage:
    """`prefilled`: whether the unit's form starts from its earlier answers
    (`_prefilled_of`); asked here when not read ahead."""
    context = round_mail_context(message)
    override = email_text_for(context["round"], message.kind, message.language)
    if override:
        return RenderedMessage(*render_email_text(override, context))
    title = context["round_title"]
    subjects = {
        "invitation": _("Invitation to the survey: %(title)s", title=title),
        "reminder": _("Reminder: %(title)s", title=title),
    }
    context["profile"] = bool(_prefilled_codes(context["round"]))
    if prefilled is None:
        prefilled = bool(_prefilled_of([message])[message.id])
    context["prefilled"] = prefilled
    return from_templates(message.kind, subjects[message.kind], context)


def _prefilled_codes(round_: Round) -> list[str]:
    """The items the round's forms fill in from the unit's previous answers."""
    prefills = [q for q in round_.questionnaires if q.prefill_from_previous_round]
    return [item.code for questionnaire in prefills for item in questionnaire.items]


def _prefilled_of(messages: list[OutboxMessage]) -> dict[int, bool]:
    """Whether each message's unit finds its form filled in from its earlier answers:
    one query per round of the batch."""
    by_round: dict[int, list[OutboxMessage]] = {}
    for message in messages:
        by_round.setdefault(message.invitation.round_id, []).append(message)
    prefilled = {}
    for same_round in by_round.values():
        invitations = [message.invitation for message in same_round]
        found = with_earlier_answers(invitations, _prefilled_codes(invitations[0].round))
        prefilled.update({message.id: message.invitation_id in found for message in same_round})
    return prefilled


def _refusal(message: OutboxMessage) -> str | None:
    """A link goes out only while it works and reaches whom it is meant for."""
    invitation = message.invitation
    if reason := unit_gone(message):
        return reason
    if not invitation.accepts_answers():  # a unit let answer late still gets its link
        return "not sent: the round no longer takes answers"
    if message.to_address != invitation.unit.contact_email:
        return "superseded: the unit's contact address changed"
    if message.created_at < invitation.token_issued_at:
        return "superseded: the unit's link was re-issued"
    return None


MAIL_KINDS = (
    MailKind("invitation", render=_render, refusal=_refusal, read_ahead=_prefilled_of),
    MailKind("reminder", render=_render, refusal=_refusal, read_ahead=_prefilled_of),
)
