"""The report pages: "Kriteerien toteutuminen" per round, for admins, as a page and as
a PDF drawn from the same page."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from ..i18n import current_language
from ..pdf import pdf_download
from ..web import no_store, round_or_404
from . import charts
from .kept_report import kept_shows
from .report import build_report, change_text
from .suppression import suppressed_label

bp = Blueprint("results", __name__, url_prefix="/admin/rounds")
bp.after_request(no_store)


def _report(round_):
    """The round's report, with the admin's region's numbers only; preliminary (and
    marked so) until the round closes."""
    return build_report(round_, current_user, current_language(), _minimum())


def _minimum() -> int:
    return current_app.config.get("REPORT_MIN_GROUP", 5)


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
    return _render_report(_report(round_or_404(slug)))


@bp.get("/<slug>/report.pdf")
@login_required
def report_pdf(slug: str):
    """Drawn in the request: a report's size does not grow with the number of units.
    The kept PDF is found without counting the report (`kept_shows`)."""
    round_ = round_or_404(slug)
    return pdf_download(
        slot=f"report:{round_.id}:{current_language()}:{current_user.scope}",
        shows=kept_shows(round_, _minimum()),
        filename=f"{slug}-report.pdf",
        render_html=lambda: _render_report(_report(round_), for_pdf=True),
    )
