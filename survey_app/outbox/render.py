"""Rendering a queued message at send time, in the recipient's language.

The personal link is built here, from the invitation (or the admin's password reset)
and the secret key, and exists only in the message handed to the mail server. A round's
own text for an invitation or reminder (see overrides.py) takes the templates' place.
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..admin import password_reset
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
    with force_locale(message.language):
        if message.kind == "password_reset":
            return _password_reset(message)
        return _round_message(message)


def _round_message(message: OutboxMessage) -> RenderedMessage:
    """An invitation, reminder or receipt: about one unit's answers to one round."""
    invitation = message.invitation
    round_ = invitation.round
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
    return _from_templates(message.kind, subjects[message.kind], context)


def _password_reset(message: OutboxMessage) -> RenderedMessage:
    """An admin's one-time link to choose a new password (delivery checked it is open)."""
    reset = password_reset.current_reset(message.admin)
    context = {
        "admin": message.admin,
        "language": message.language,
        "link": password_reset.link_for(reset),
        "expires_at": reset.expires_at,
    }
    return _from_templates(message.kind, _("Password reset for the survey administration"), context)


def _from_templates(kind: str, subject: str, context: dict) -> RenderedMessage:
    return RenderedMessage(
        subject=subject,
        text=render_template(f"email/{kind}.txt", **context),
        html=render_template(f"email/{kind}.html", **context),
    )
