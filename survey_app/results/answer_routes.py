"""The free-text answers of a round, listed per unit for admins."""

from flask import Blueprint

from ..admin.web import no_store

bp = Blueprint("answers", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)
