"""The roster pages: list, search and filter the units an admin may see."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..models.unit import UNIT_STATUSES
from .roster import RosterFilter, filter_choices, roster
from .web import no_store

bp = Blueprint("admin_units", __name__, url_prefix="/admin/units")
bp.after_request(no_store)


@bp.get("")
@login_required
def list_units():
    filters = RosterFilter(
        text=request.args.get("q", "").strip()[:200],
        region=request.args.get("region", ""),
        field=request.args.get("field", ""),
        status=status if (status := request.args.get("status")) in UNIT_STATUSES else "",
        include_deactivated=request.args.get("deactivated") == "1",
    )
    return render_template(
        "admin/units.html",
        units=roster(current_user, filters),
        filters=filters,
        choices=filter_choices(current_user),
    )
