"""Small pieces every admin blueprint uses: finding a round by its slug, running an
admin's change (commit and say so, or refuse it clearly), going back."""

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from ..errors import render_error
from ..extensions import db
from ..invitations.mailing import MailingError
from ..models import Round
from ..rounds.services import RoundError, get_round
from .actions import ActionError
from .refusals import message_for

# Service errors that refuse an action with a `code` (see admin/refusals.py).
REFUSALS = (ActionError, MailingError, RoundError)


def round_or_404(slug: str) -> Round:
    try:
        return get_round(slug)
    except RoundError:
        abort(404)


def back_to_dashboard(round_: Round):
    return redirect(url_for("admin.round_page", slug=round_.slug), code=303)


def no_store(response):
    """Admin pages show contact details and answers: no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def not_visible(_error):
    """A unit the admin may not see (scope.UnitNotVisible, raised anywhere in an admin
    view) is answered as one that does not exist, and nothing of the request stays."""
    db.session.rollback()
    return render_error(404)


def run_action(
    action: Callable[[], Any],
    said: Callable[[Any], str],
    back: str,
    refused: Callable[[Exception], Any] | None = None,
) -> Response:
    """Run an admin's change: commit it, flash `said(its result)` and go `back` (303).

    A refusal (one of REFUSALS) rolls everything back and is said in the admin's
    language: by `refused(error)`, a page of its own, or else flashed on `back`."""
    try:
        result = action()
    except REFUSALS as error:
        db.session.rollback()
        if refused is not None:
            return refused(error)
        flash(message_for(error), "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(said(result), "success")
    return redirect(back, code=303)
