"""Downloads of a round's results (CSV, XLSX, JSON) from the admin pages: streamed, and
of the admin's own region only."""

from flask import Blueprint, Response, stream_with_context
from flask_login import current_user, login_required

from ..i18n import current_language
from ..web import no_store, round_or_404
from .exports import MEDIA_TYPES, csv_chunks, results_json, safe_filename, xlsx_chunks

bp = Blueprint("exports", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)


@bp.get("/<slug>/export.<any(csv, xlsx, json):format_>")
@login_required
def download(slug: str, format_: str):
    """The file, built as it is sent (the answer rows are read in batches)."""
    round_ = round_or_404(slug)
    admin = current_user._get_current_object()
    if format_ == "json":
        body = results_json(round_, admin)
    elif format_ == "csv":
        body = stream_with_context(csv_chunks(round_, admin))
    else:
        body = stream_with_context(xlsx_chunks(round_, admin, current_language()))
    response = Response(body, content_type=MEDIA_TYPES[format_])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{safe_filename(round_, format_)}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
