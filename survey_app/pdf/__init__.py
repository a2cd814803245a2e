"""Pages as PDF downloads. WeasyPrint draws the same HTML and print CSS that a browser
prints, so the PDF and a printed page cannot drift apart, and no browser is needed on the
server. It is imported only when a PDF is asked for: without its system libraries (Pango)
the service still runs, and a PDF download answers 503 with a message.

Each PDF is kept (`store.py`): drawn once from what it shows and served again until that
changes. A large one (the directory of hundreds of units takes minutes) is drawn in
the background by `flask pdf work` (`worker.py`) while its page says so.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from flask import current_app, render_template, request
from flask_babel import gettext as _

from ..errors import render_error
from ..web import no_store
from . import store

PDF_TYPE = "application/pdf"


class CannotDraw(Exception):
    """WeasyPrint (or its system libraries) is missing on this server."""


def draw(html: str) -> bytes:
    try:
        from .render import html_to_pdf
    except (ImportError, OSError) as error:
        current_app.logger.exception("WeasyPrint cannot be loaded: no PDFs")
        raise CannotDraw() from error
    return html_to_pdf(html)


def pdf_download(
    *,
    slot: str,
    shows: str,
    filename: str,
    render_html: Callable[[], str],
    in_background: bool = False,
):
    """The PDF of a page: the kept one if nothing it `shows` changed, else drawn now, or
    (`in_background`) queued for the worker with a page that says it is being drawn.

    `slot` names the page for this reader (kind, round, language, scope): a newer PDF
    of a slot replaces the older. `shows` is everything the page shows, without the
    moment it was asked for.

    A slot draws one PDF at a time in the background. While the data changes faster
    than a drawing takes (profiles arriving near the deadline), a request gets the
    drawing under way, or the slot's file drawn in the last PDF_RECENT_SECONDS (it
    says when it was compiled), rather than starting a drawing that a newer request
    would replace before it ends."""
    key = store.key_for(slot, shows)
    document = store.find(key)
    if document is not None and document.status == "failed" and request.args.get("again"):
        store.queue_again(document)
    elif document is None and in_background:
        recent = current_app.config["PDF_RECENT_SECONDS"]
        document = store.under_way(slot) or store.drawn_since(slot, recent)
        if document is None:
            document = store.queue(key, slot, filename, render_html())
    elif document is None:
        try:
            content = draw(render_html())
        except CannotDraw:
            return _cannot_draw()
        return _file(store.keep(key, slot, filename, content))
    if document.status == "ready":
        return _file(document)
    return _waiting(document)


def _file(document):
    response = current_app.response_class(store.content_of(document), mimetype=PDF_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return no_store(response)


def _waiting(document):
    """202 while the worker draws it; 503 when drawing failed (with a way to try again).
    Its links keep the page's other parameters (its language) but never `again`, so
    checking whether the file is ready asks for no new drawing."""
    status = 503 if document.status == "failed" else 202
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "again"]
    check = request.path + (f"?{urlencode(args)}" if args else "")
    again = request.path + "?" + urlencode([*args, ("again", "1")])
    page = render_template("pdf/waiting.html", document=document, check=check, again=again)
    return no_store(current_app.make_response((page, status)))


def _cannot_draw():
    message = _("PDF files cannot be made on this server. Print the page instead.")
    return current_app.make_response(render_error(503, message))
