"""Running a round from the browser: the list of rounds (the admin's start page),
create, open, extend, close, late answers, preview.

Thin views: they read the form, call `actions` (the change and its audit entry, over
`rounds.services`, the same rules as `flask rounds ...`) and commit once. Changing a
round is for national admins; a regional admin may let its own region's units answer
late, and both may look at the manage page and the preview.
"""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.scope import visible_rounds
from ..errors import render_error
from ..i18n import current_language
from ..refusals import Refused, reason_for
from ..timeutil import format_local
from ..web import no_store, round_or_404, run_action
from . import actions, late_routes, services
from .email_text_forms import email_text_pairs
from .forms import EmailTextsForm, ExtendForm, NewRoundForm, ReminderDaysForm
from .manage_page import change_round, manage_page, refused_before_form
from .preview_routes import preview_view

bp = Blueprint("rounds", __name__, url_prefix="/admin")
bp.after_request(no_store)
bp.add_url_rule(
    "/rounds/<slug>/preview", "preview", login_required(preview_view), methods=["GET", "POST"]
)
bp.add_url_rule("/rounds/<slug>/late", "late", login_required(late_routes.allow), methods=["POST"])
bp.add_url_rule(
    "/rounds/<slug>/late/<code>/end", "end_late", login_required(late_routes.end), methods=["POST"]
)


@bp.get("/")
@login_required
def index():
    return render_template("rounds/index.html", rounds=visible_rounds(current_user))


def national_only():
    """A regional admin's refusal page, or None for a national admin."""
    if current_user.is_national:
        return None
    return render_error(403, _("Only a national admin can create rounds or change them."))


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def new():
    if refused := national_only():
        return refused
    form = NewRoundForm(current_language())
    if request.method != "POST":
        return _new_page(form)
    if not form.validate():
        return _new_page(form), 422
    wanted = actions.NewRound(
        slug=form.slug.data,
        title=form.title.data,
        title_sv=form.title_sv.data or "",
        title_en=form.title_en.data or "",
        deadline=form.deadline,
        questionnaires=tuple(form.questionnaires.data),
        reminder_days=tuple(form.days),
        email_texts=form.texts,
    )
    return run_action(
        lambda: actions.create(current_user, wanted),
        lambda _round: _("The round was created as a draft. Open it when it is ready."),
        url_for(".manage", slug=wanted.slug),
        refused=lambda error: _new_refused(form, error),
    )


def _new_refused(form: NewRoundForm, error: Refused):
    if error.code == "slug_taken":  # taken by another admin since the form was checked
        form.slug.errors.append(
            _("A round called “%(slug)s” exists already. Choose another.", slug=form.slug.data)
        )
        return _new_page(form), 409
    return _new_page(form, reason_for(error)), 422


def _new_page(form: NewRoundForm, error: str | None = None) -> str:
    return render_template(
        "rounds/new.html", form=form, error=error, text_pairs=list(email_text_pairs(form))
    )


@bp.get("/rounds/<slug>/manage")
@login_required
def manage(slug: str):
    return manage_page(round_or_404(slug))


@bp.post("/rounds/<slug>/open")
@login_required
def open_(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    return change_round(
        round_,
        lambda: actions.open_round(current_user, round_),
        lambda created: _(
            "The round is open. %(count)d personal links were created; send the "
            "invitations from the round's page.",
            count=created,
        ),
    )


@bp.post("/rounds/<slug>/close")
@login_required
def close(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    return change_round(
        round_,
        lambda: actions.close_round(current_user, round_),
        lambda _none: _("The round is closed. No answers are taken any more."),
    )


@bp.post("/rounds/<slug>/deadline")
@login_required
def extend(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if refused := refused_before_form(round_, services.check_extendable):
        return refused
    form = ExtendForm()
    deadline = form.check(round_)
    if deadline is None:
        return manage_page(round_, status=422, extend_form=form, failed=form)
    return change_round(
        round_,
        lambda: actions.extend_deadline(current_user, round_, deadline),
        lambda _none: _("The deadline is now %(time)s.", time=format_local(deadline)),
    )


@bp.post("/rounds/<slug>/reminders")
@login_required
def reminders(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if refused := refused_before_form(
        round_, lambda r: services.check_not_closed(r, "closed_reminders")
    ):
        return refused
    form = ReminderDaysForm()
    days = form.check()
    if days is None:
        return manage_page(round_, status=422, reminders_form=form, failed=form)
    return change_round(
        round_,
        lambda: actions.set_reminder_days(current_user, round_, days),
        lambda changed: (
            _("The automatic reminders were saved.") if changed else _("Nothing was changed.")
        ),
    )


@bp.post("/rounds/<slug>/email-texts")
@login_required
def email_texts(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if refused := refused_before_form(
        round_, lambda r: services.check_not_closed(r, "closed_texts")
    ):
        return refused
    form = EmailTextsForm()
    texts = form.check()
    if texts is None:
        return manage_page(round_, status=422, texts_form=form, failed=form)
    return change_round(
        round_,
        lambda: actions.set_email_texts(current_user, round_, texts),
        lambda changed: (
            _("The email texts were saved; messages sent from now on use them.")
            if changed
            else _("Nothing was changed.")
        ),
    )
