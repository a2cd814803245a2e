"""The respondent form as a unit sees it, for an admin, in any language; no token.

The form posts back here: its answers are checked as a unit's would be (so an admin
sees the messages too), and nothing is stored. No unit's data is shown.
"""

from flask import abort, current_app, redirect, request, url_for
from flask_babel import force_locale

from ..i18n import current_language
from ..questionnaires.form_view import shown_values
from ..questionnaires.forms import build_form
from ..respond import pages, submission
from ..web import round_or_404

ACTIONS = ("save", "submit")


def preview_view(slug: str):
    round_ = round_or_404(slug)
    language = _language()
    switch_to = request.form.get("switch_language") if request.method == "POST" else None
    if switch_to in current_app.config["LANGUAGES"]:
        return redirect(url_for("rounds.preview", slug=slug, language=switch_to), code=303)
    with force_locale(language):
        items = round_.items
        if request.method != "POST":
            return pages.preview_page(round_, {})
        action = request.form.get("action", "")
        if action not in ACTIONS:
            abort(400)
        form = build_form(items, language, formdata=request.form)
        errors = submission.problems(form, items, submit=action == "submit")
        values = shown_values(form, items)
        if errors:
            return pages.preview_page(round_, values, errors=errors, status=422)
        return pages.preview_page(round_, values, result=action)


def _language() -> str:
    """The language asked for (?language=), else the admin's own."""
    language = request.args.get("language")
    if language not in current_app.config["LANGUAGES"]:
        return current_language()
    return language
