"""The outbox page: what was queued, sent and refused, and the captured mail."""

from flask import Blueprint, render_template
from flask_login import login_required

from .web import no_store

bp = Blueprint("admin_outbox", __name__, url_prefix="/admin/outbox")
bp.after_request(no_store)


@bp.get("")
@login_required
def outbox():
    return render_template("admin/outbox.html")
