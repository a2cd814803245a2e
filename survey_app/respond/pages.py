"""Rendering the respondent's pages: the form, the confirmation, the closed round; and
the admin's preview of the form (the same template, with no unit and no token)."""

import secrets

from flask import current_app, get_template_attribute, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..i18n import current_language
from ..memo import by_identity
from ..models import Invitation, Round
from ..questionnaires.form_view import FormView, answered_count, form_view
from . import services
from .form_key import form_key

_UNREAD = object()

# Each form view's items drawn blank, by item number (numbers count across a form's
# questionnaires, so each is one item), kept by memo.by_identity.
_BLANK_ITEMS: dict = {}


def drawn_items(view: FormView, values: dict, errors: dict) -> dict[int, Markup]:
    """The form's items drawn (by item number) showing `values` and `errors`. An item
    with neither is the same for every respondent of these questionnaire versions in
    this language: drawn once per process, as drawing the items was most of the page's
    time (templates/respond/_item.html)."""
    item_html = get_template_attribute("respond/_item.html", "item_html")
    drawn = dict(_blank_items(view, item_html))
    for item in _items_of(view):
        chosen, error = values.get(item.code), errors.get(item.code)
        if chosen or error or item.number not in drawn:
            drawn[item.number] = item_html(item, chosen or (), error)
    return drawn


def _blank_items(view: FormView, item_html) -> dict[int, Markup]:
    """Not kept while templates reload (development): an edited template shows at once."""
    if current_app.jinja_env.auto_reload:
        return {}
    return by_identity(
        _BLANK_ITEMS,
        (view,),
        None,
        lambda: {item.number: item_html(item, (), None) for item in _items_of(view)},
    )


def _items_of(view: FormView):
    for questionnaire in view.questionnaires:
        for section in questionnaire.sections:
            yield from section.items


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
            form_key=generate_csrf(),  # the preview posts to an admin page: the session's
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
