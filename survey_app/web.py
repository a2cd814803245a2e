"""The few helpers every feature's admin pages share: finding a round by its slug,
keeping pages out of caches, and running an admin's change the one way every page
does (commit and say so, or roll back and say why not)."""

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from .extensions import db
from .lookup import get_round
from .models import Round
from .refusals import Refused, message_for


def round_or_404(slug: str) -> Round:
    try:
        return get_round(slug)
    except Refused:
        abort(404)


def clean_filename(name: str, default: str) -> str:
    """The name the browser sent for an uploaded file, for messages, the audit log and
    the pages: no path, no control characters, at most 100 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[-100:] or default


def no_store(response):
    """Admin pages show contact details and answers: no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def run_action(
    action: Callable[[], Any],
    said: Callable[[Any], str | list[str] | None],
    back: str,
    refused: Callable[[Refused], Any] | None = None,
    then: Callable[[Any], str] | None = None,
) -> Response:
    """Run an admin's change: commit it, flash `said(its result)` (a message, several,
    or None) and go `back`, or to `then(its result)` when given, with a 303.

    A `Refused` rolls everything back and is said in the admin's language: by
    `refused(error)`, a page of its own, or else flashed on `back`. A write that lost
    a race to another request (the database's unique rule caught it) is refused in
    the same way, with the code "changed_meanwhile"."""
    try:
        result = action()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _refuse(Refused("changed meanwhile", code="changed_meanwhile"), back, refused)
    except Refused as error:
        db.session.rollback()
        return _refuse(error, back, refused)
    messages = said(result)
    for message in [messages] if isinstance(messages, str) else messages or []:
        flash(message, "success")
    return redirect(then(result) if then else back, code=303)


def _refuse(error: Refused, back: str, refused) -> Any:
    if refused is not None:
        return refused(error)
    flash(message_for(error), "error")
    return redirect(back, code=303)
