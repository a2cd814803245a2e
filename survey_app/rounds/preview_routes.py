"""The respondent form as a unit sees it, for an admin, in any language; no token.

The form posts back here: its answers are checked as a unit's would be (so an admin
sees the messages too), and nothing is stored. No unit's data is shown.
"""

from flask import abort, current_app, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import current_language
from ..questionnaires.forms import answers_from_form, build_form, form_data_from_answers
from ..respond import pages, services
from ..web import round_or_404

ACTIONS = ("save", "submit")


def preview_view(slug: str):
    round_ = round_or_404(slug)
    languages = current_app.config["LANGUAGES"]
    language = request.args.get("language")
    if language not in languages:
        language = current_language()
    if request.method == "POST":
        switch_to = request.form.get("switch_language")
        if switch_to in languages:
            target = url_for("rounds.preview", slug=slug, language=switch_to)
            return redirect(target, code=303)
    with force_locale(language):
        items = round_.items
        if request.method != "POST":
            form = build_form(items, language, data=form_data_from_answers({}, items))
            return pages.preview_page(round_, form)
        action = request.form.get("action", "")
        if action not in ACTIONS:
            abort(400)
        form = build_form(items, language, formdata=request.form)
        if not form.validate():
            return pages.preview_page(round_, form, errors=form.errors, status=422)
        if action == "submit":
            missing = services.missing_required(items, answers_from_form(form, items))
            if missing:
                errors = {code: [_("Answer this question before submitting.")] for code in missing}
                return pages.preview_page(round_, form, errors=errors, status=422)
        return pages.preview_page(round_, form, result=action)
