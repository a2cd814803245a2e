"""The JSON API's endpoints: GET only, a bearer token on every one but the OpenAPI
document, JSON for every answer (errors too), nothing cached."""

import re

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, db
from ..lookup import get_round
from ..models import Round
from ..refusals import Refused
from ..results.aggregate import round_results
from . import data
from .auth import Unauthorized, authenticated_admin
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Credentials come only in the Authorization header, which no other site can make a
# browser send: there is nothing for a CSRF token to protect.
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}
_NUMBER_RE = re.compile(r"[0-9]{1,18}")


def error(status: int, message: str, headers: dict | None = None):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.before_request
def require_token():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    try:
        g.api_admin = authenticated_admin(request)
    except Unauthorized as refusal:
        db.session.rollback()
        return error(401, str(refusal), {"WWW-Authenticate": refusal.challenge()})
    db.session.commit()  # the token's last use
    return None


@bp.after_request
def headers(response):
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    db.session.rollback()
    return error_response(exc)


@bp.errorhandler(Exception)
def unexpected_error(exc: Exception):
    db.session.rollback()
    current_app.log_exception((type(exc), exc, exc.__traceback__))
    return error(500, "internal error")


def error_response(exc: HTTPException):
    """The JSON answer for an HTTP error under /api/v1, also for one raised before any
    view ran (no route matched: errors.py sends those here)."""
    response = error(exc.code or 500, exc.description or exc.name)
    if exc.code == 405:
        response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or ())
    response.headers["Cache-Control"] = "no-store"
    return response


def _round(slug: str) -> Round:
    try:
        return get_round(slug)
    except Refused:
        abort(404, description=f"no round {slug!r}")


def _positive(name: str, default: int, maximum: int) -> int:
    """A whole number from 1 to `maximum` (as the document says), or 400."""
    text = request.args.get(name)
    if text is None:
        return default
    if not _NUMBER_RE.fullmatch(text) or int(text) < 1:
        abort(400, description=f"{name} must be a whole number from 1 to {maximum}")
    if int(text) > maximum:
        abort(400, description=f"{name} must be at most {maximum}")
    return int(text)


@bp.get("/openapi.json")
def openapi():
    """The API's description, open to anyone: it holds no data."""
    return jsonify(document())


@bp.get("/rounds")
def rounds():
    return jsonify(data.rounds(g.api_admin))


@bp.get("/rounds/<slug>/results")
def results(slug: str):
    """Exactly the results JSON of BRIEF.md (`results export`), in the token's scope."""
    return jsonify(round_results(_round(slug), g.api_admin))


@bp.get("/rounds/<slug>/status")
def status(slug: str):
    return jsonify(data.status(_round(slug), g.api_admin))


@bp.get("/rounds/<slug>/responses")
def responses(slug: str):
    round_ = _round(slug)
    page = _positive("page", 1, data.MAX_PAGE)
    per_page = _positive("per_page", data.DEFAULT_PER_PAGE, data.MAX_PER_PAGE)

    def link(number: int) -> str:
        """From BASE_URL, never from the request's Host header (which anyone can set)."""
        path = url_for("api.responses", slug=round_.slug, page=number, per_page=per_page)
        return current_app.config["BASE_URL"] + path

    return jsonify(data.responses_page(round_, g.api_admin, page, per_page, link))
