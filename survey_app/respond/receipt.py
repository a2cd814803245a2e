"""The receipt: a copy of the submitted answers, mailed to the unit in the language
the form was answered in. Registered with the outbox as a mail kind (`RECEIPT`)."""

from flask_babel import gettext as _

from ..extensions import db
from ..invitations.mail import round_mail_context, unit_gone
from ..models import OutboxMessage, SubmittedVersion
from ..outbox.kinds import MailKind, RenderedMessage
from ..outbox.render import from_templates
from .services import summary


def _render(message: OutboxMessage, _ahead=None) -> RenderedMessage:
    context = round_mail_context(message)
    if message.submitted_version_id:
        version = db.session.get(SubmittedVersion, message.submitted_version_id)
        context["submitted_at"] = version.submitted_at
        context["summary"] = summary(message.invitation, version.answers, message.language)
    subject = _("Your answers to the survey: %(title)s", title=context["round_title"])
    return from_templates("receipt", subject, context)


RECEIPT = MailKind("receipt", render=_render, refusal=unit_gone)
