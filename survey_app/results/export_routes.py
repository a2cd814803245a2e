"""Downloads of a round's results (CSV, XLSX, JSON) from the admin pages."""

from flask import Blueprint

from ..admin.web import no_store

bp = Blueprint("exports", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)
