"""The admin's "forgot your password?" pages: ask for a link, then choose a new password.

The forgot page answers the same whether or not the address is an admin's, and every
request to it counts against the client's limit, so it can neither tell who is an admin
nor be used to flood an inbox. The email goes through the outbox: no request sends mail.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from .. import rate_limit
from ..extensions import db
from ..i18n import current_language
from .accounts import MIN_PASSWORD_LENGTH
from .forms import ForgotPasswordForm, ResetPasswordForm
from .password_reset import complete_reset, find_reset, request_reset

bp = Blueprint("admin_password", __name__, url_prefix="/admin/password")

RATE_SCOPE = "reset"


@bp.after_request
def private_page_headers(response):
    """The reset URL holds a credential: never send it onward, never cache the page."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if not form.is_submitted():
        return render_template("admin/forgot.html", form=form, sent=False)
    _count_or_429()
    if not form.validate():
        db.session.commit()
        return render_template("admin/forgot.html", form=form, sent=False), 422
    request_reset(form.email.data, current_language())
    db.session.commit()
    return render_template("admin/forgot.html", form=form, sent=True)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    password_reset = find_reset(token)
    if password_reset is None:
        _count_or_429()
        db.session.commit()
        abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if not complete_reset(password_reset, form.password.data):
            db.session.rollback()  # used meanwhile by another request
            abort(404)
        db.session.commit()
        logout_user()  # whoever was logged in on this browser
        flash(_("Your password was changed. Log in with the new password."), "success")
        return redirect(url_for("admin.login"), code=303)
    status = 422 if form.errors else 200
    return render_template("admin/reset.html", form=form, min_length=MIN_PASSWORD_LENGTH), status


def _count_or_429() -> None:
    """Count this request against the client's limit; 429 over it (the count sticks)."""
    if rate_limit.too_many_failures(rate_limit.record_failure(RATE_SCOPE)):
        db.session.commit()
        abort(429)
