"""The report pages: "Kriteerien toteutuminen" per round, for admins, as a page and as
a PDF drawn from the same page."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from ..i18n import current_language
from ..pdf import pdf_download
from ..web import no_store, round_or_404
from . import charts
from .report import build_report, change_text
from .suppression import suppressed_label

bp = Blueprint("results", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)


def _report(slug: str):
    """The round's report, with the admin's region's numbers only; preliminary (and
    marked so) until the round closes."""
    round_ = round_or_404(slug)
    minimum = current_app.config.get("REPORT_MIN_GROUP", 5)
    return build_report(round_, current_user, current_language(), minimum)


def _render_report(report, for_pdf: bool = False) -> str:
    return render_template(
        "results/report.html",
        report=report,
        charts=charts,
        change_text=change_text,
        suppressed=suppressed_label(report.minimum),
        for_pdf=for_pdf,
    )


@bp.get("/<slug>/report")
@login_required
def report(slug: str):
    return _render_report(_report(slug))


@bp.get("/<slug>/report.pdf")
@login_required
def report_pdf(slug: str):
    """Drawn in the request: a report's size does not grow with the number of units."""
    report = _report(slug)
    return pdf_download(
        slot=f"report:{report.round.id}:{current_language()}:{current_user.scope}",
        shows=report.shows(),
        filename=f"{slug}-report.pdf",
        render_html=lambda: _render_report(report, for_pdf=True),
    )
