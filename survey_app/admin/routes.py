"""The admin's pages: login, logout, the start page and each round's dashboard."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import rate_limit
from ..extensions import db
from ..models import Round
from ..results.aggregate import percent
from . import actions, audit
from .accounts import LoginRefused, authenticate
from .dashboard import round_dashboard, waiting_count
from .forms import LoginForm
from .scope import UnitNotVisible, visible_rounds
from .web import back_to_dashboard, no_store, not_visible, round_or_404, run_action

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.after_request(no_store)
bp.register_error_handler(UnitNotVisible, not_visible)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            admin = authenticate(form.email.data, form.password.data)
        except LoginRefused as refusal:
            failures = rate_limit.record_failure("login")
            db.session.commit()
            if rate_limit.too_many_failures(failures):
                abort(429)
            error = (
                _("Too many failed attempts. Try again in 15 minutes.")
                if refusal.locked
                else _("Wrong email address or password.")
            )
            status = 429 if refusal.locked else 401
        else:
            db.session.commit()
            session.clear()  # a fresh session: nothing from before the login carries over
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(admin)
            return redirect(_safe_next(request.args.get("next")), code=303)
    elif form.errors:
        status = 422
    return render_template("admin/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"), code=303)


@bp.get("/")
@login_required
def index():
    return render_template("admin/index.html", rounds=visible_rounds(current_user))


@bp.get("/rounds/<slug>")
@login_required
def round_page(slug: str):
    round_ = round_or_404(slug)
    return render_template(
        "admin/round.html",
        dashboard=round_dashboard(round_, current_user),
        percent=percent,
        # admin.js fetches the page again to update its numbers: leave flashed
        # messages for the admin's next real page load.
        refreshing=request.headers.get("X-Dashboard-Refresh") == "1",
        refresh_seconds=current_app.config["ADMIN_REFRESH_SECONDS"],
    )


@bp.post("/rounds/<slug>/send")
@login_required
def send_invitations(slug: str):
    round_ = round_or_404(slug)

    def said(queued: int) -> str:
        if not queued:
            return _("Every unit had been mailed already: nothing was queued.")
        return _(
            "%(count)d invitations queued; %(waiting)d messages wait in the outbox for the "
            "mail worker.",
            count=queued,
            waiting=waiting_count(round_, current_user),
        )

    return _act(round_, lambda: actions.send_invitations(round_, current_user), said)


def reminded(result: actions.Reminded) -> str:
    if not result.skipped:
        return _("%(count)d reminders queued.", count=result.queued)
    return _(
        "%(count)d reminders queued. %(skipped)d units that have not submitted were left "
        "out: they were mailed during the last day. Choose them to remind them again now.",
        count=result.queued,
        skipped=result.skipped,
    )


@bp.post("/rounds/<slug>/remind")
@login_required
def remind(slug: str):
    round_ = round_or_404(slug)
    codes = request.form.getlist("unit") if request.form.get("which") == "selected" else None
    if codes == []:
        flash(_("Choose the units to remind first."), "error")
        return back_to_dashboard(round_)
    return _act(round_, lambda: actions.remind(round_, current_user, codes), reminded)


@bp.post("/rounds/<slug>/units/<code>/resend")
@login_required
def resend(slug: str, code: str):
    round_ = round_or_404(slug)
    return _act(
        round_,
        lambda: actions.resend(round_, current_user, code),
        lambda _result: _("The invitation of %(code)s was queued again.", code=code),
    )


@bp.post("/rounds/<slug>/units/<code>/reissue")
@login_required
def reissue(slug: str, code: str):
    round_ = round_or_404(slug)
    return _act(
        round_,
        lambda: actions.reissue(round_, current_user, code),
        lambda _result: _("%(code)s has a new link; it was queued.", code=code),
    )


@bp.post("/rounds/<slug>/units/<code>/email")
@login_required
def change_email(slug: str, code: str):
    round_ = round_or_404(slug)
    email = request.form.get("email", "")
    return _act(
        round_,
        lambda: actions.change_contact_email(round_, current_user, code, email),
        lambda _result: _("The address of %(code)s was changed.", code=code),
    )


@bp.get("/audit")
@login_required
def audit_log():
    errors = {}
    days = {}
    for name in ("from", "to"):
        try:
            days[name] = audit.parse_date(request.args.get(name))
        except ValueError:
            days[name] = None
            errors[name] = _("Enter a date as YYYY-MM-DD, for example 2027-03-31.")
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = _("The end date is before the start date.")
        days["to"] = None
    filters = audit.AuditFilter(
        action=request.args.get("action") or None,
        admin_email=request.args.get("admin") or None,
        date_from=days["from"],
        date_to=days["to"],
    )
    page = render_template(
        "admin/audit.html",
        entries=audit.visible_entries(current_user, filters),
        filters=filters,
        choices=audit.filter_choices(current_user),
        errors=errors,
    )
    return page, 422 if errors else 200


def _act(round_: Round, action, said):
    """A dashboard action: done or refused, the admin is back on the dashboard."""
    return run_action(action, said, url_for("admin.round_page", slug=round_.slug))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a login link must not send anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.index")
