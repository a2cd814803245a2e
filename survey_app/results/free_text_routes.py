"""The free-text answers of a round, listed per unit for admins."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..i18n import current_language
from ..models.types import utcnow
from ..web import no_store, round_or_404
from .free_text import free_text_answers

bp = Blueprint("free_text", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)


@bp.get("/<slug>/answers")
@login_required
def answers(slug: str):
    """Every free-text item of the round with each unit's submitted answer, the admin's
    region only; preliminary (and marked so) until the round closes, as the report."""
    round_ = round_or_404(slug)
    return render_template(
        "results/free_text.html",
        round_=round_,
        items=free_text_answers(round_, current_user, current_language()),
        preliminary=round_.effective_state() != "closed",
        as_of=utcnow(),
    )
