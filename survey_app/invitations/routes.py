"""A round's dashboard: response rates and who is missing, and what an admin does
from it (send the invitations, remind, resend, issue a new link, correct an address)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import Round
from ..web import no_store, round_or_404, run_action
from . import actions
from .dashboard import round_dashboard, waiting_count
from .unit_in_round import unit_in_round

bp = Blueprint("dashboard", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)


@bp.get("/<slug>")
@login_required
def show(slug: str):
    round_ = round_or_404(slug)
    return render_template(
        "invitations/dashboard.html",
        dashboard=round_dashboard(round_, current_user, page=_page()),
        # admin.js fetches the page again to update its numbers: leave flashed
        # messages for the admin's next real page load.
        refreshing=request.headers.get("X-Dashboard-Refresh") == "1",
        refresh_seconds=current_app.config["ADMIN_REFRESH_SECONDS"],
    )


@bp.get("/<slug>/units/<code>")
@login_required
def unit(slug: str, code: str):
    round_ = round_or_404(slug)
    return render_template("invitations/unit.html", unit=unit_in_round(round_, current_user, code))


@bp.post("/<slug>/send")
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


@bp.post("/<slug>/remind")
@login_required
def remind(slug: str):
    round_ = round_or_404(slug)
    codes = request.form.getlist("unit") if request.form.get("which") == "selected" else None
    if codes == []:
        flash(_("Choose the units to remind first."), "error")
        return back_to_dashboard(round_)
    return _act(round_, lambda: actions.remind(round_, current_user, codes), reminded)


@bp.post("/<slug>/units/<code>/resend")
@login_required
def resend(slug: str, code: str):
    round_ = round_or_404(slug)
    return _act_on_unit(
        round_,
        code,
        lambda: actions.resend(round_, current_user, code),
        lambda again: (
            _("The invitation of %(code)s was queued again.", code=code)
            if again
            else _("The invitation of %(code)s was queued.", code=code)
        ),
    )


@bp.post("/<slug>/units/<code>/reissue")
@login_required
def reissue(slug: str, code: str):
    round_ = round_or_404(slug)
    return _act_on_unit(
        round_,
        code,
        lambda: actions.reissue(round_, current_user, code),
        lambda _result: _("%(code)s has a new link; it was queued.", code=code),
    )


@bp.post("/<slug>/units/<code>/email")
@login_required
def change_email(slug: str, code: str):
    round_ = round_or_404(slug)
    email = request.form.get("email", "")
    return _act_on_unit(
        round_,
        code,
        lambda: actions.change_contact_email(round_, current_user, code, email),
        lambda _result: _("The address of %(code)s was changed.", code=code),
    )


def _page() -> int:
    """The page of the units still missing (?page=); anything else is the first."""
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


def _act(round_: Round, action, said):
    """A dashboard action: done or refused, the admin is back on the dashboard."""
    return run_action(action, said, url_for("dashboard.show", slug=round_.slug))


def _act_on_unit(round_: Round, code: str, action, said):
    """A unit's action, from its own page: the admin is back on that page."""
    return run_action(action, said, url_for("dashboard.unit", slug=round_.slug, code=code))


def back_to_dashboard(round_: Round):
    return redirect(url_for("dashboard.show", slug=round_.slug), code=303)
