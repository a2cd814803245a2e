"""Rendering the respondent's pages: the form, the confirmation, the closed round; and
the admin's preview of the form (the same template, with no unit and no token)."""

import secrets

from flask import render_template
from flask_wtf.csrf import generate_csrf

from ..i18n import current_language
from ..models import Invitation, Round
from ..questionnaires.form_view import answered_count, form_view
from . import services
from .drawings import drawn_items
from .form_key import form_key

_UNREAD = object()


def form_page(
    invitation: Invitation,
    token: str,
    values: dict[str, list[str]],
    *,
    version: int | None,
    errors: dict | None = None,
    conflict: bool = False,
    expired: bool = False,
    unstorable: bool = False,
    saved: bool = False,
    prefilled: bool = False,
    status: int = 200,
    response=_UNREAD,
):
    """The respondent's form showing `values` (item code -> values); `response` as the
    view read it (else read here)."""
    if response is _UNREAD:
        response = services.response_of(invitation)
    round_ = invitation.round
    items = round_.items
    language = current_language()
    view = form_view(round_.questionnaires, language)
    return (
        render_template(
            "respond/form.html",
            invitation=invitation,
            unit=invitation.unit,
            round=round_,
            answer_until=invitation.answer_until(),
            token=token,
            form_key=form_key(token),
            view=view,
            items_html=drawn_items(view, values, errors or {}),
            values=values,
            language=language,
            version=version,
            # A fresh key per rendered form: two clicks on one form are one submission.
            submission_key=secrets.token_urlsafe(16),
            errors=errors or {},
            conflict=conflict,
            expired=expired,
            unstorable=unstorable,
            saved=saved,
            prefilled=prefilled,
            response=response,
            answered=answered_count(values, items),
            total=len(items),
        ),
        status,
    )


def done_page(invitation: Invitation, token: str, response):
    language = current_language()
    return render_template(
        "respond/done.html",
        invitation=invitation,
        round=invitation.round,
        answer_until=invitation.answer_until(),
        token=token,
        response=response,
        summary=services.summary(invitation, services.submitted_answers(response), language),
        language=language,
    )


def closed_page(invitation: Invitation, *, status: int = 200, refused: bool = False):
    """The round takes no answers: show what was submitted, read-only."""
    language = current_language()
    response = services.response_of(invitation)
    submitted = response is not None and invitation.submitted_at is not None
    answers = services.submitted_answers(response) if submitted else {}
    round_ = invitation.round
    # A unit let answer late saw its form until then; an explicit close ended it earlier.
    closed_at = invitation.answer_until() if round_.state == "open" else round_.closed_time()
    return (
        render_template(
            "respond/closed.html",
            invitation=invitation,
            round=round_,
            closed_at=closed_at,
            submitted=submitted,
            response=response,
            summary=services.summary(invitation, answers, language) if submitted else [],
            refused=refused,
            language=language,
        ),
        status,
    )


def preview_page(
    round_: Round,
    values: dict[str, list[str]],
    *,
    errors: dict | None = None,
    result: str | None = None,
    status: int = 200,
):
    """The form as a unit sees it, for an admin: no unit, no token, no response; its
    buttons post to the preview, which checks the answers and stores nothing
    (`result`: "save" or "submit" when the answers would have been taken)."""
    items = round_.items
    view = form_view(round_.questionnaires, current_language())
    return (
        render_template(
            "respond/form.html",
            preview=True,
            preview_result=result,
            invitation=None,
            unit=None,
            round=round_,
            answer_until=round_.deadline,
            token=None,
            form_key=generate_csrf(),  # it posts to an admin page: the session's CSRF token
            view=view,
            items_html=drawn_items(view, values, errors or {}),
            values=values,
            language=current_language(),
            version=0,
            submission_key="",
            errors=errors or {},
            conflict=False,
            expired=False,
            saved=False,
            response=None,
            answered=answered_count(values, items),
            total=len(items),
        ),
        status,
    )
