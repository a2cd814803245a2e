"""Error pages: every refusal is a plain, translated page with a 4xx; never a trace."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form had expired. Go back, load the page again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        if request.path == "/api/v1" or request.path.startswith("/api/v1/"):
            from .api.routes import error_response  # tools get JSON, even with no route

            return error_response(error)
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.log_exception((type(error), error, error.__traceback__))
        if request.environ.get("werkzeug.debug.preserve_context"):
            raise error
        return render_error(InternalServerError.code)
