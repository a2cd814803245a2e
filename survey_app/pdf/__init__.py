"""Pages as PDF downloads. WeasyPrint draws the same HTML and print CSS that a browser
prints, so the PDF and a printed page cannot drift apart, and no browser is needed on the
server. It is imported only when a PDF is asked for: without its system libraries (Pango)
the service still runs, and a PDF download answers 503 with a message."""

from flask import current_app
from flask_babel import gettext as _

from ..errors import render_error

PDF_TYPE = "application/pdf"


def pdf_response(html: str, filename: str):
    """`html` (a page rendered for print) as a PDF download named `filename`."""
    try:
        from .render import html_to_pdf
    except (ImportError, OSError):
        current_app.logger.exception("WeasyPrint cannot be loaded: no PDFs")
        message = _("PDF files cannot be made on this server. Print the page instead.")
        return current_app.make_response(render_error(503, message))
    response = current_app.response_class(html_to_pdf(html), mimetype=PDF_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
