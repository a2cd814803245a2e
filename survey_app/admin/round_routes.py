"""Running a round from the browser: create, open, extend, close, late answers, preview."""

from flask import Blueprint, render_template
from flask_login import login_required

from .web import no_store, round_or_404

bp = Blueprint("admin_rounds", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)


@bp.get("/<slug>/manage")
@login_required
def manage(slug: str):
    round_ = round_or_404(slug)
    return render_template("admin/round_manage.html", round=round_)
