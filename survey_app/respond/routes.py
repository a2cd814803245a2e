"""The respondent's pages at /r/<token>: one form with both questionnaires."""

import re
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import current_language
from ..invitations.services import find_by_token
from ..questionnaires.forms import answers_from_form, build_form, form_data_from_answers
from . import rate_limit, services

bp = Blueprint("respond", __name__, url_prefix="/r")

ACTIONS = ("save", "submit")
VERSION_RE = re.compile(r"^[0-9]{1,9}$")
SUBMISSION_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@bp.after_request
def private_page_headers(response):
    """The URL holds a credential: never send it onward, never cache the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _invitation_or_404(token: str):
    invitation = find_by_token(token)
    if invitation is None:
        if rate_limit.too_many_failures(rate_limit.record_failure()):
            abort(429)
        abort(404)
    g.unit_language = invitation.unit.language
    return invitation


@bp.get("/<token>")
def answer(token: str):
    invitation = _invitation_or_404(token)
    services.mark_opened(invitation)
    db.session.commit()
    round_ = invitation.round
    if round_.effective_state() != "open":
        return _closed_page(invitation, token)
    language = current_language()
    items = services.round_items(round_)
    data = form_data_from_answers(services.initial_answers(invitation), items)
    form = build_form(items, language, data=data)
    response = services.response_of(invitation)
    return _form_page(
        invitation,
        token,
        form,
        version=response.version if response else 0,
        saved=request.args.get("saved") == "1",
    )


@bp.post("/<token>")
def answer_post(token: str):
    invitation = _invitation_or_404(token)
    round_ = invitation.round
    if not round_.accepts_answers():
        return _closed_page(invitation, token, status=403, refused=True)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    language = current_language()
    items = services.round_items(round_)
    submit = action == "submit"
    form = build_form(items, language, formdata=request.form)
    posted_codes = _posted_codes(items)
    current = services.initial_answers(invitation)
    if not form.validate():
        errors = {code: field.errors for code, field in form._fields.items() if field.errors}
        return _form_page(
            invitation, token, form, version=_posted_version(), errors=errors, status=422
        )
    answers = services.merge_posted(current, answers_from_form(form, items), posted_codes)
    missing = _missing_required(items, answers) if submit else []
    if missing:
        refill = build_form(items, language, data=form_data_from_answers(answers, items))
        errors = {code: [_("Answer this question before submitting.")] for code in missing}
        return _form_page(
            invitation, token, refill, version=_posted_version(), errors=errors, status=422
        )
    submission_key = _posted_submission_key()
    try:
        outcome = services.save_answers(
            invitation,
            answers,
            submit=submit,
            language=language,
            expected_version=_posted_version(),
            submission_key=submission_key,
        )
    except services.RoundNotOpen:
        db.session.rollback()
        return _closed_page(invitation, token, status=403, refused=True)
    except services.VersionConflict:
        db.session.rollback()
        if submit and services.was_submitted_with(invitation, submission_key):
            return redirect(url_for("respond.done", token=token), code=303)
        response = services.response_of(invitation)
        return _form_page(
            invitation,
            token,
            form,
            version=response.version if response else 0,
            conflict=True,
            status=409,
        )
    db.session.commit()
    if outcome.submitted:
        return redirect(url_for("respond.done", token=token), code=303)
    return redirect(url_for("respond.answer", token=token, saved=1, _anchor="status"), code=303)


@bp.get("/<token>/done")
def done(token: str):
    invitation = _invitation_or_404(token)
    response = services.response_of(invitation)
    if response is None or response.status != "submitted":
        return redirect(url_for("respond.answer", token=token))
    return render_template(
        "respond/done.html",
        invitation=invitation,
        round=invitation.round,
        token=token,
        response=response,
        summary=_summary(invitation, services.submitted_answers(response)),
        language=current_language(),
    )


def rerender_after_csrf_failure():
    """A respondent whose form expired gets it back with everything typed, not a bare
    error: nothing is stored, nothing is lost."""
    if request.blueprint != "respond" or request.method != "POST":
        return None
    token = (request.view_args or {}).get("token", "")
    invitation = find_by_token(token)
    if invitation is None or not invitation.round.accepts_answers():
        return None
    g.unit_language = invitation.unit.language
    items = services.round_items(invitation.round)
    form = build_form(items, current_language(), formdata=request.form)
    return _form_page(invitation, token, form, version=_posted_version(), expired=True, status=400)


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


def _missing_required(items, answers) -> list[str]:
    return [item.code for item in items if item.required and not answers.get(item.code)]


def _summary(invitation, answers):
    language = current_language()
    sections = []
    for questionnaire in invitation.round.questionnaires:
        for section in questionnaire.sections:
            rows = []
            for item in section.items:
                values = answers.get(item.code, [])
                shown = [item.label_for(v, language) if item.is_choice else v for v in values]
                rows.append((item, shown))
            sections.append((section.title_in(language), rows))
    return sections


def _closed_page(invitation, token, status=200, refused=False):
    response = services.response_of(invitation)
    answers = services.submitted_answers(response) if response is not None else {}
    submitted = response is not None and response.status == "submitted"
    return (
        render_template(
            "respond/closed.html",
            invitation=invitation,
            round=invitation.round,
            submitted=submitted,
            response=response,
            summary=_summary(invitation, answers) if submitted else [],
            refused=refused,
            language=current_language(),
        ),
        status,
    )


def _form_page(
    invitation,
    token,
    form,
    *,
    version,
    errors=None,
    conflict=False,
    expired=False,
    saved=False,
    status=200,
):
    round_ = invitation.round
    language = current_language()
    response = services.response_of(invitation)
    items = services.round_items(round_)
    answered = sum(1 for item in items if _has_value(form[item.code].data))
    return (
        render_template(
            "respond/form.html",
            invitation=invitation,
            unit=invitation.unit,
            round=round_,
            token=token,
            form=form,
            questionnaires=round_.questionnaires,
            language=language,
            version=version,
            submission_key=secrets.token_urlsafe(16),
            errors=errors or {},
            conflict=conflict,
            expired=expired,
            saved=saved,
            response=response,
            answered=answered,
            total=len(items),
            max_text=current_app.config["MAX_TEXT_LENGTH"],
        ),
        status,
    )


def _has_value(data) -> bool:
    if isinstance(data, list):
        return bool(data)
    if isinstance(data, str):
        return bool(data.strip())
    return data is not None
