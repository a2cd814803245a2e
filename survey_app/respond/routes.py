"""The respondent's pages at /r/<token>: one form with both questionnaires.

A unit takes answers while its round is open, or after the deadline while an admin
lets it answer late (`Invitation.accepts_answers`).

Views parse the request, call `services`, commit once and render with `pages`.
"""

import re

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .. import rate_limit
from ..database import read_outside_a_transaction, reads_first
from ..errors import render_error
from ..extensions import csrf, db
from ..i18n import current_language
from ..invitations.services import find_by_token, find_by_token_with_response
from ..questionnaires.form_view import shown_values
from ..questionnaires.forms import build_form
from ..security import NulByteRefused
from . import form_key, pages, services, submission

bp = Blueprint("respond", __name__, url_prefix="/r")
# Not the session's CSRF token: the form carries a key derived from its link (form_key).
csrf.exempt(bp)

ACTIONS = ("save", "submit")
# \Z, not $: "$" also matches before a final line break, and a key of 64 characters
# and a line break does not fit its column.
VERSION_RE = re.compile(r"^[0-9]{1,9}\Z")
SUBMISSION_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


@bp.after_request
def private_page_headers(response):
    """The URL holds a credential: never send it onward, never cache the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _wrong_link_status() -> int:
    """Every wrong link gets the same 404; a burst of them from one client, 429."""
    failures = rate_limit.record_failure()
    db.session.commit()
    return 429 if rate_limit.too_many_failures(failures) else 404


def _invitation_or_404(token: str):
    return _opened_or_404(find_by_token(token))


def _opened_or_404(invitation):
    if invitation is None:
        abort(_wrong_link_status())
    g.unit_language = invitation.unit.language
    return invitation


@bp.get("/<token>")
def answer(token: str):
    read_outside_a_transaction()  # its reads need no common snapshot; a write gets one
    invitation, response, earlier = find_by_token_with_response(token)
    _opened_or_404(invitation)
    services.record_first_open(invitation)  # only the first open writes
    if not invitation.accepts_answers():
        return pages.closed_page(invitation)
    values, prefilled = services.form_start(invitation, response, earlier)
    return pages.form_page(
        invitation,
        token,
        values,
        version=response.version if response else 0,
        saved=request.args.get("saved") == "1",
        response=response,
        prefilled=prefilled,
    )


@bp.post("/<token>")
def answer_post(token: str):
    reads_first()  # SQLite's write lock only for the save (services.lock_for_save)
    invitation = _invitation_or_404(token)
    if not form_key.holds_form_key(token, request.form.get(form_key.FIELD)):
        raise CSRFError()  # the form comes back with what was typed (form_expired)
    if not invitation.accepts_answers():
        return pages.closed_page(invitation, status=403, refused=True)
    posted = _posted(invitation)
    outcome = submission.take(invitation, posted)
    if outcome.stored:
        db.session.commit()
    else:
        db.session.rollback()
    return _answer_to(invitation, token, posted, outcome)


def _posted(invitation) -> submission.Posted:
    """The posted page: which button, the answers as a form, the version it was loaded
    at, its submission key and the items it showed. Not a form button: 400."""
    switch_to = request.form.get("switch_language")
    if switch_to not in current_app.config["LANGUAGES"]:
        switch_to = None
    action = "save" if switch_to else request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    items = invitation.round.items
    return submission.Posted(
        action=action,
        language=current_language(),
        form=build_form(items, current_language(), formdata=request.form),
        version=_posted_version(),
        submission_key=_posted_submission_key(),
        shown=_posted_codes(items),
        switch_to=switch_to,
    )


def _answer_to(invitation, token: str, posted: submission.Posted, outcome: submission.Outcome):
    """The page or redirect that tells the respondent what became of the post."""
    if outcome.kind == submission.GONE:
        abort(404)  # as for any link that opens nothing
    if outcome.kind == submission.CLOSED:
        return pages.closed_page(invitation, status=403, refused=True)
    if outcome.kind in (submission.INVALID, submission.MISSING):
        return pages.form_page(
            invitation,
            token,
            outcome.values,
            version=outcome.version,
            errors=outcome.errors,
            status=422,
        )
    if outcome.kind == submission.CONFLICT:
        return pages.form_page(
            invitation, token, outcome.values, version=outcome.version, conflict=True, status=409
        )
    if outcome.kind == submission.SUBMITTED:
        return redirect(url_for("respond.done", token=token), code=303)
    if outcome.kind == submission.SWITCHED:
        return redirect(url_for("respond.answer", token=token, lang=posted.switch_to), code=303)
    target = url_for(
        "respond.answer", token=token, saved=1, lang=posted.switch_to, _anchor="status"
    )
    return redirect(target, code=303)


@bp.get("/<token>/done")
def done(token: str):
    invitation = _invitation_or_404(token)
    response = services.response_of(invitation)
    if response is None or invitation.submitted_at is None or not invitation.accepts_answers():
        return redirect(url_for("respond.answer", token=token))
    return pages.done_page(invitation, token, response)


@bp.errorhandler(CSRFError)
def form_expired(_error):
    """A respondent whose form expired gets it back with everything typed, not a bare
    error: nothing is stored, nothing is lost. A wrong link still gets the 404."""
    return _form_again(expired=True)


@bp.errorhandler(NulByteRefused)
def unstorable_text(_error):
    """A NUL byte in the posted answers (refused before any view, survey_app/security.py):
    the form comes back with everything else typed (the NUL is dropped), nothing stored."""
    return _form_again(unstorable=True)


def _form_again(**notice):
    token = (request.view_args or {}).get("token", "")
    invitation = find_by_token(token)
    if invitation is None:
        return render_error(_wrong_link_status())
    g.unit_language = invitation.unit.language
    if request.method != "POST" or not invitation.accepts_answers():
        return render_error(400, _("The form had expired. Go back, load the page again."))
    items = invitation.round.items
    values = shown_values(build_form(items, current_language(), formdata=request.form), items)
    version = _posted_version()
    return pages.form_page(invitation, token, values, version=version, status=400, **notice)


def _posted_version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if VERSION_RE.match(raw) else None


def _posted_submission_key() -> str | None:
    raw = request.form.get("submission_key", "")
    return raw if SUBMISSION_KEY_RE.match(raw) else None


def _posted_codes(items) -> set[str]:
    """Items the page showed: from its `shown` list, else those present in the POST."""
    known = {item.code for item in items}
    shown = set(request.form.getlist("shown")) & known
    if shown:
        return shown
    return {code for code in known if code in request.form}
