"""Rendering a queued message at send time, in the recipient's language.

The personal link is built here, from the invitation and the secret key, and exists
only in the message handed to the mail server. A round's own text for an invitation
or reminder (see overrides.py) takes the templates' place.
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..invitations.services import link_for
from ..models import OutboxMessage, SubmittedVersion
from ..respond.services import summary
from .overrides import email_text_for, render_email_text


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def render_message(message: OutboxMessage) -> RenderedMessage:
    invitation = message.invitation
    round_ = invitation.round
    with force_locale(message.language):
        title, title_language = round_.title_in(message.language)
        context = {
            "kind": message.kind,
            "unit": invitation.unit,
            "round": round_,
            "round_title": title,
            "round_title_language": title_language,
            "language": message.language,
            "link": link_for(invitation),
            "summary": [],
        }
        if message.kind == "receipt" and message.submitted_version_id:
            version = db.session.get(SubmittedVersion, message.submitted_version_id)
            context["submitted_at"] = version.submitted_at
            context["summary"] = summary(invitation, version.answers, message.language)
        override = email_text_for(round_, message.kind, message.language)
        if override:
            return RenderedMessage(*render_email_text(override, context))
        subjects = {
            "invitation": _("Survey: %(title)s", title=title),
            "reminder": _("Reminder: %(title)s", title=title),
            "receipt": _("Your answers: %(title)s", title=title),
        }
        return RenderedMessage(
            subject=subjects[message.kind],
            text=render_template(f"email/{message.kind}.txt", **context),
            html=render_template(f"email/{message.kind}.html", **context),
        )
