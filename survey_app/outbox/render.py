"""Rendering a queued message at send time, in the recipient's language.

What a message says is its kind's (see kinds.py); here is the frame: the locale, and
the pair of templates (`email/<kind>.txt` and `.html`) most kinds are drawn from.
Personal links are built by the kind's renderer at this moment and exist only in the
message handed to the mail server.
"""

from typing import Any

from flask import render_template
from flask_babel import force_locale

from ..models import OutboxMessage
from .kinds import RenderedMessage, kind_of


def render_message(message: OutboxMessage, ahead: Any = None) -> RenderedMessage:
    """`ahead`: what the kind's `read_ahead` read for this message."""
    with force_locale(message.language):
        return kind_of(message).render(message, ahead)


def from_templates(kind: str, subject: str, context: dict) -> RenderedMessage:
    return RenderedMessage(
        subject=subject,
        text=render_template(f"email/{kind}.txt", **context),
        html=render_template(f"email/{kind}.html", **context),
    )
