"""The report pages: "Kriteerien toteutuminen" per round, for admins."""

from flask import Blueprint

from ..admin.web import no_store

bp = Blueprint("results", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)
