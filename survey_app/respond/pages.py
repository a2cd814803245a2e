"""Rendering the respondent's pages: the form, the confirmation, the closed round."""

import secrets

from flask import render_template

from ..i18n import current_language
from ..models import Invitation
from . import services


def form_page(
    invitation: Invitation,
    token: str,
    form,
    *,
    version: int | None,
    errors: dict | None = None,
    conflict: bool = False,
    expired: bool = False,
    saved: bool = False,
    status: int = 200,
):
    round_ = invitation.round
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
            language=current_language(),
            version=version,
            # A fresh key per rendered form: two clicks on one form are one submission.
            submission_key=secrets.token_urlsafe(16),
            errors=errors or {},
            conflict=conflict,
            expired=expired,
            saved=saved,
            response=services.response_of(invitation),
            answered=answered,
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
        token=token,
        response=response,
        summary=services.summary(invitation, services.submitted_answers(response), language),
        language=language,
    )


def closed_page(invitation: Invitation, *, status: int = 200, refused: bool = False):
    """The round takes no answers: show what was submitted, read-only."""
    language = current_language()
    response = services.response_of(invitation)
    submitted = response is not None and response.status == "submitted"
    answers = services.submitted_answers(response) if submitted else {}
    return (
        render_template(
            "respond/closed.html",
            invitation=invitation,
            round=invitation.round,
            submitted=submitted,
            response=response,
            summary=services.summary(invitation, answers, language) if submitted else [],
            refused=refused,
            language=language,
        ),
        status,
    )


def _has_value(data) -> bool:
    if isinstance(data, list):
        return bool(data)
    if isinstance(data, str):
        return bool(data.strip())
    return data is not None
