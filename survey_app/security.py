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
        """No page has a NUL byte in its address (404, like any wrong link), and
        PostgreSQL refuses one in any string: refuse a query string holding one here
        (400) rather than with a 500 from whichever query meets it. Form bodies are left
        to the forms, so that typed text comes back to its page."""
        if "\x00" in request.path:
            abort(404)
        if any("\x00" in key + value for key, value in request.args.items(multi=True)):
            abort(400)

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
