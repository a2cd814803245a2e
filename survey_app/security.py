"""Response headers that every page gets (respondent pages add their own no-store),
and one guard for every request."""

from flask import Flask, abort, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_in_the_address():
        """No page has a NUL byte in its address, and PostgreSQL refuses one in any
        string: answer 400 here once rather than a 500 from whichever query meets it.
        (Form bodies are left to the forms, so that typed text comes back to its page.)"""
        arguments = request.args.items(multi=True)
        if "\x00" in request.path or any("\x00" in k + v for k, v in arguments):
            abort(400)

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
