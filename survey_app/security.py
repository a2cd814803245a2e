"""Response headers that every page gets (respondent pages add their own no-store;
HSTS when the site is https), and one guard for every request."""

from flask import Flask, abort, request
from werkzeug.exceptions import BadRequest

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

HSTS = "max-age=31536000"


class NulByteRefused(BadRequest):
    """A NUL byte in a query or form value (a page may answer it in its own way: the
    respondent's form comes back with what was typed)."""


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        """PostgreSQL refuses a NUL byte in any string, and no person types one: refuse
        it once, here, before any view or query meets it. In the address: 404, like
        any wrong link; in a query or form value (or name): 400, on every database.
        (Registered before the CSRF check, which would stumble on a nameless field.)"""
        if "\x00" in request.path:
            abort(404)
        if _holds_nul(request.args):
            raise NulByteRefused()
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if None in request.form:  # a multipart part with no usable name (e.g. "\\")
                abort(400)
            if _holds_nul(request.form):
                raise NulByteRefused()

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["BASE_URL"].startswith("https://"):
            # The site is served over https only: browsers must never try it without.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def _holds_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))
