"""Error pages: every refusal is a plain, translated page with a 4xx; never a trace.

A part of the site that answers tools rather than people (the JSON API) registers its
path and its own way of answering with `answer_errors_under`, so even an address no
route matches gets that answer."""

from collections.abc import Callable

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .refusals import UnitNotVisible

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("This action is not allowed.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. Check the link you received."),
    ),
    405: (_l("Not allowed"), _l("This action is not allowed.")),
    409: (_l("Conflict"), _l("The information was changed meanwhile. Load the page again.")),
    413: (
        _l("Too much data"),
        _l("The form sent too much data. Shorten the answers and try again."),
    ),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a moment and try again.")),
    503: (_l("Not available"), _l("This is not available right now. Try again later.")),
    500: (
        _l("Something went wrong"),
        _l("Something went wrong on our side. Your last step was not saved; try again soon."),
    ),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[400])
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    body = render_template(
        "errors/error.html", code=code, title=str(title), message=detail or str(message)
    )
    return body, code, headers


def answer_errors_under(app: Flask, prefix: str, answer: Callable) -> None:
    """HTTP errors for addresses under `prefix` are answered by `answer(error)`."""
    app.extensions.setdefault("survey_app.error_answers", {})[prefix] = answer


def _answer_for(app: Flask, path: str) -> Callable | None:
    for prefix, answer in app.extensions.get("survey_app.error_answers", {}).items():
        if path == prefix or path.startswith(prefix + "/"):
            return answer
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(UnitNotVisible)
    def not_visible(_error):
        """A unit the admin may not see, wherever a view meets it, is answered as one
        that does not exist, and nothing of the request stays."""
        db.session.rollback()
        return render_error(404)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form had expired. Go back, load the page again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        answer = _answer_for(app, request.path)
        if answer is not None:
            return answer(error)
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.log_exception((type(error), error, error.__traceback__))
        if request.environ.get("werkzeug.debug.preserve_context"):
            raise error
        return render_error(InternalServerError.code)
