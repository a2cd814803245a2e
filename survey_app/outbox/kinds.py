"""The kinds of mail the outbox carries, each registered by the feature that owns it.

The outbox knows how to queue, claim, send and retry a row; what a row says, and
whether it should still go out, belongs to its cause (an invitation's round, an
admin's password reset). Each feature registers its kinds on the app when it is
built (`register`), and the worker looks a row's kind up here. So the outbox imports
no feature, and a new kind of mail touches only the feature that sends it.

Features may also register work that queues mail when its moment comes (the rounds'
automatic reminders): the worker runs it before each pass (`on_each_pass`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from ..models import OutboxMessage

_KINDS = "survey_app.mail_kinds"
_PASSES = "survey_app.mail_passes"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class MailKind:
    name: str
    # The email, in the message's language (the caller sets the locale), given what
    # `read_ahead` read for it (None without). It may raise tokens.LinkUnavailable when
    # a link cannot be rebuilt.
    render: Callable[[OutboxMessage, Any], RenderedMessage]
    # Why the message must not go out any more (superseded, round closed), or None.
    refusal: Callable[[OutboxMessage], str | None]
    # Its text opens an admin's account (a password reset): shown on no page, and
    # only national admins see that it exists.
    secret: bool = False
    # What the messages of a batch each need from the database beyond their rows,
    # read for all of them at once (message id -> what `render` gets): a question
    # asked once per message was the largest share of the outbox's reading.
    read_ahead: Callable[[list[OutboxMessage]], dict[int, Any]] | None = None


def register(app: Flask, *kinds: MailKind) -> None:
    registry = app.extensions.setdefault(_KINDS, {})
    for kind in kinds:
        registry[kind.name] = kind


def on_each_pass(app: Flask, work: Callable[[], object]) -> None:
    app.extensions.setdefault(_PASSES, []).append(work)


def kind_of(message: OutboxMessage) -> MailKind:
    """The registered kind of a message; LookupError for a kind no feature registered."""
    registry = current_app.extensions.get(_KINDS, {})
    if message.kind not in registry:
        raise LookupError(f"no mail kind {message.kind!r} is registered")
    return registry[message.kind]


def secret_kinds() -> tuple[str, ...]:
    registry = current_app.extensions.get(_KINDS, {})
    return tuple(name for name, kind in registry.items() if kind.secret)


def run_passes() -> None:
    for work in current_app.extensions.get(_PASSES, []):
        work()
