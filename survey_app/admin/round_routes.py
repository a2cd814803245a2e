"""Running a round from the browser: create, open, extend, close, late answers, preview.

Thin views over `rounds.services` (the same functions as `flask rounds ...`). Changing
a round is for national admins; a regional admin may let its own region's units
answer late, and both may look at the manage page and the preview.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import current_language
from ..models import Round
from ..models.types import utcnow
from ..outbox.overrides import EmailTextError, set_email_text
from ..questionnaires.validation import DefinitionError
from ..rounds import services
from ..timeutil import format_local
from . import audit, round_late
from .round_email_texts import email_text_pairs
from .round_forms import EmailTextsForm, ExtendForm, NewRoundForm, ReminderDaysForm
from .round_pages import attempt, done, manage_page, national_only, refuse
from .round_preview import preview_view
from .web import no_store, round_or_404

bp = Blueprint("admin_rounds", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)
bp.add_url_rule("/<slug>/preview", "preview", login_required(preview_view), methods=["GET", "POST"])
bp.add_url_rule("/<slug>/late", "late", login_required(round_late.allow), methods=["POST"])
bp.add_url_rule(
    "/<slug>/late/<code>/end", "end_late", login_required(round_late.end), methods=["POST"]
)


def _target(round_: Round) -> str:
    return f"round {round_.slug}"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if refused := national_only():
        return refused
    form = NewRoundForm(current_language())
    if request.method != "POST":
        return _new_page(form)
    error = None
    if form.validate():
        try:
            round_ = services.create_round(
                form.slug.data,
                form.title.data,
                form.deadline,
                tuple(form.questionnaires.data),
                title_translations={"sv": form.title_sv.data, "en": form.title_en.data},
                reminder_days=tuple(form.days),
            )
            for (kind, language), text in form.texts.items():
                if text is not None:
                    set_email_text(round_, kind, language, text["subject"], text["body"])
        except (services.RoundError, DefinitionError, EmailTextError) as refusal:
            db.session.rollback()
            error = str(refusal)
        else:
            audit.record(
                current_user,
                "create round",
                _target(round_),
                None,
                after={
                    "title": round_.title,
                    "deadline": format_local(round_.deadline),
                    "questionnaires": [
                        f"{v.key} v{v.version}" for v in round_.questionnaire_versions
                    ],
                    "reminder_days": round_.reminder_days,
                    "email_texts": _text_keys(round_.email_texts),
                },
            )
            db.session.commit()
            flash(_("The round was created as a draft. Open it when it is ready."), "success")
            return redirect(url_for(".manage", slug=round_.slug), code=303)
    return _new_page(form, error), 422


def _new_page(form: NewRoundForm, error: str | None = None) -> str:
    return render_template(
        "admin/round_new.html", form=form, error=error, text_pairs=list(email_text_pairs(form))
    )


@bp.get("/<slug>/manage")
@login_required
def manage(slug: str):
    return manage_page(round_or_404(slug))


@bp.post("/<slug>/open")
@login_required
def open_(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if round_.state != "draft":
        return refuse(round_, _("Only a draft round can be opened."))
    if round_.deadline <= utcnow():
        return refuse(round_, _("The deadline has passed. Extend it before opening."))
    ok, created = attempt(round_, lambda: services.open_with_invitations(round_))
    if not ok:
        return created
    audit.record(
        current_user,
        "open round",
        _target(round_),
        None,
        before={"state": "draft"},
        after={"state": "open", "invitations_created": created},
    )
    return done(
        round_,
        _(
            "The round is open. %(count)d personal links were created; send the "
            "invitations from the round's page.",
            count=created,
        ),
    )


@bp.post("/<slug>/close")
@login_required
def close(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if round_.state == "closed":
        return refuse(round_, _("The round is closed already."))
    before = round_.effective_state()
    ok, result = attempt(round_, lambda: services.close_round(round_))
    if not ok:
        return result
    audit.record(
        current_user,
        "close round",
        _target(round_),
        None,
        before={"state": before},
        after={"state": "closed"},
    )
    return done(round_, _("The round is closed. No answers are taken any more."))


@bp.post("/<slug>/deadline")
@login_required
def extend(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if round_.state == "closed":
        return refuse(round_, _("The round was closed; its deadline can no longer change."))
    form = ExtendForm()
    deadline = form.check(round_)
    if deadline is None:
        return manage_page(round_, status=422, extend_form=form, failed=form)
    before = {"deadline": format_local(round_.deadline), "state": round_.effective_state()}
    ok, result = attempt(round_, lambda: services.extend_deadline(round_, deadline))
    if not ok:
        return result
    audit.record(
        current_user,
        "extend deadline",
        _target(round_),
        None,
        before=before,
        after={"deadline": format_local(round_.deadline), "state": round_.effective_state()},
    )
    return done(round_, _("The deadline is now %(time)s.", time=format_local(deadline)))


@bp.post("/<slug>/reminders")
@login_required
def reminders(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if round_.effective_state() == "closed":
        return refuse(round_, _("The round is closed; its reminders can no longer change."))
    form = ReminderDaysForm()
    days = form.check()
    if days is None:
        return manage_page(round_, status=422, reminders_form=form, failed=form)
    before = round_.reminder_days
    ok, result = attempt(round_, lambda: services.set_reminder_days(round_, days))
    if not ok:
        return result
    audit.record(
        current_user,
        "set reminder days",
        _target(round_),
        None,
        before={"reminder_days": before},
        after={"reminder_days": round_.reminder_days},
    )
    return done(round_, _("The automatic reminders were saved."))


@bp.post("/<slug>/email-texts")
@login_required
def email_texts(slug: str):
    round_ = round_or_404(slug)
    if refused := national_only():
        return refused
    if round_.effective_state() == "closed":
        return refuse(round_, _("The round is closed; its email texts can no longer change."))
    form = EmailTextsForm()
    texts = form.check()
    if texts is None:
        return manage_page(round_, status=422, texts_form=form, failed=form)
    ok, changed = attempt(round_, lambda: services.set_email_texts(round_, texts))
    if not ok:
        return changed
    before, after = changed
    if not after:
        flash(_("Nothing was changed."), "success")
        return redirect(url_for(".manage", slug=slug), code=303)
    audit.record(
        current_user,
        "set email texts",
        _target(round_),
        None,
        before={f"{kind} {language}": text for (kind, language), text in before.items()},
        after={f"{kind} {language}": text for (kind, language), text in after.items()},
    )
    return done(round_, _("The email texts were saved; messages sent from now on use them."))


def _text_keys(texts: dict | None) -> list[str]:
    return [f"{kind} {language}" for kind, langs in (texts or {}).items() for language in langs]
