"""Small pieces every admin blueprint uses: finding a round by its slug, going back."""

from flask import abort, redirect, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import Round


def round_or_404(slug: str) -> Round:
    round_ = db.session.scalar(select(Round).filter_by(slug=slug))
    if round_ is None:
        abort(404)
    return round_


def back_to_dashboard(round_: Round):
    return redirect(url_for("admin.round_page", slug=round_.slug), code=303)


def no_store(response):
    """Admin pages show contact details and answers: no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response
