"""Logging in and out, and the "forgot your password?" pages: ask for a link, then
choose a new password.

The forgot page answers the same whether or not the address is an admin's, and every
request to it counts against the client's limit, so it can neither tell who is an admin
nor be used to flood an inbox. The email goes through the outbox: no request sends mail.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import rate_limit
from ..errors import render_error
from ..extensions import db
from ..i18n import current_language
from ..web import run_action
from .accounts import MIN_PASSWORD_LENGTH, LoginRefused, end_sessions, log_in
from .forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from .password_reset import complete_reset, find_reset, request_reset

bp = Blueprint("auth", __name__, url_prefix="/admin")

RESET_RATE_SCOPE = "reset"


@bp.after_request
def private_page_headers(response):
    """A reset URL holds a credential, and a login page is no one's to keep: never
    send the address onward, never cache the page."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.errors else 200
    try:
        admin = log_in(form.email.data, form.password.data)
    except LoginRefused as refusal:
        db.session.commit()  # the failures counted stick
        return _login_refused(form, refusal)
    db.session.commit()
    session.clear()  # a fresh session: nothing from before the login carries over
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    login_user(admin)
    return redirect(_safe_next(request.args.get("next")), code=303)


def _login_refused(form: LoginForm, refusal: LoginRefused):
    """Say why: too many attempts from this address (429, the bare page), too many for
    this account from here (429, the form), or a wrong email or password (401)."""
    if refusal.reason == "client":
        abort(429)
    if refusal.reason == "account":
        error, status = _("Too many failed attempts. Try again in 10 minutes."), 429
    else:
        error, status = _("Wrong email address or password."), 401
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    end_sessions(current_user)  # a copy of this session's cookie opens nothing any more
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if not form.is_submitted():
        return render_template("auth/forgot.html", form=form, sent=False)
    _count_or_429()
    if not form.validate():
        db.session.commit()
        return render_template("auth/forgot.html", form=form, sent=False), 422
    request_reset(form.email.data, current_language())
    db.session.commit()
    return render_template("auth/forgot.html", form=form, sent=True)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    password_reset = find_reset(token)
    if password_reset is None:
        _count_or_429()
        db.session.commit()
        abort(404)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        page = render_template("auth/reset.html", form=form, min_length=MIN_PASSWORD_LENGTH)
        return page, 422 if form.errors else 200
    return run_action(
        lambda: _new_password(password_reset, form.password.data),
        lambda _none: _("Your password was changed. Log in with the new password."),
        url_for("auth.login"),
        refused=lambda _used_meanwhile: render_error(404),
    )


def _new_password(password_reset, password: str) -> None:
    complete_reset(password_reset, password)
    logout_user()  # whoever was logged in on this browser


def _count_or_429() -> None:
    """Count this request against the client's limit; 429 over it (the count sticks)."""
    if rate_limit.too_many_failures(rate_limit.record_failure(RESET_RATE_SCOPE)):
        db.session.commit()
        abort(429)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a login link must not send anyone elsewhere. Browsers
    drop tabs and line breaks and read a backslash as a slash, so a path holding any
    of them, or one that parses with a scheme or a host, goes to the start page."""
    if not target or not target.startswith("/") or "\\" in target:
        return url_for("rounds.index")
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("rounds.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return url_for("rounds.index")
    return target
