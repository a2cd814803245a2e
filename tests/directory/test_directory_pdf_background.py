"""A large directory's PDF is drawn by `flask pdf work` in the background while its
page says so (202), then downloaded; a drawing that fails says so (503) and can be
asked for again."""

import sys

import pytest
from sqlalchemy import select

from survey_app.models import Document
from tests.helpers import create, invoke, login, pdf_text

PDF = "/admin/directory.pdf?lang=en"


@pytest.fixture
def national(app, client, runner, directory_dataset):
    app.config["PDF_INLINE_MAX_UNITS"] = 2  # the dataset's 5 profiles are "large"
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    return client


def _documents(db) -> list[Document]:
    db.session.rollback()
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def test_a_large_directory_is_drawn_in_the_background(national, runner, db):
    waiting = national.get(PDF)
    assert waiting.status_code == 202 and waiting.mimetype == "text/html"
    assert "The PDF is being made" in waiting.get_data(as_text=True)
    assert national.get(PDF).status_code == 202
    [queued] = _documents(db)  # queued once, however often it is asked for
    assert queued.status == "queued"

    assert invoke(runner, "pdf", "work", "--once").strip() == "Drew 1 PDF files."
    ready = national.get(PDF)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.headers["Content-Disposition"].startswith('attachment; filename="kehy-kooste-')
    assert "Charlie-yksikkö" in pdf_text(ready)
    [drawn] = _documents(db)
    assert drawn.id == queued.id and drawn.status == "ready"
    assert db.session.scalar(select(Document.html)) is None  # the page is not kept


def test_a_failed_drawing_says_so_and_can_be_asked_for_again(national, runner, db, monkeypatch):
    national.get(PDF)
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "survey_app.pdf.render", None)  # the library is missing
        invoke(runner, "pdf", "work", "--once")
    failed = national.get(PDF)
    assert failed.status_code == 503
    assert "The PDF could not be made" in failed.get_data(as_text=True)
    assert "WeasyPrint" in _documents(db)[0].error

    assert 'href="/admin/directory.pdf?lang=en&amp;again=1"' in failed.get_data(as_text=True)
    waiting = national.get(PDF + "&again=1")
    assert waiting.status_code == 202
    # Checking whether it is ready asks for no new drawing.
    assert 'href="/admin/directory.pdf?lang=en"' in waiting.get_data(as_text=True)
    invoke(runner, "pdf", "work", "--once")
    again = national.get(PDF)
    assert again.status_code == 200
    assert "Charlie-yksikkö" in pdf_text(again)  # the page itself, drawn this time


def test_a_small_directory_is_drawn_at_once(national, app):
    app.config["PDF_INLINE_MAX_UNITS"] = 60
    assert national.get(PDF).mimetype == "application/pdf"


def test_while_profiles_keep_arriving_a_drawing_finishes_and_is_served(
    national, runner, db, app, directory_dataset
):
    """Near the deadline the directory changes faster than it is drawn: a new profile
    does not restart the drawing under way, and the file just drawn is served (it says
    when it was compiled) until it is PDF_RECENT_SECONDS old."""
    from tests.directory.conftest import submit
    from tests.factories import make_unit

    assert national.get(PDF).status_code == 202
    submit(
        directory_dataset["newer"],
        make_unit(name="Foxtrot-yksikkö"),
        {"kehy_name": "Foxtrot-yksikkö"},
    )
    assert national.get(PDF).status_code == 202  # the same drawing, not a second one
    assert [d.status for d in _documents(db)] == ["queued"]

    invoke(runner, "pdf", "work", "--once")
    served = national.get(PDF)
    assert served.mimetype == "application/pdf"
    assert "Foxtrot-yksikkö" not in pdf_text(served)  # as compiled, before Foxtrot

    app.config["PDF_RECENT_SECONDS"] = 0
    assert national.get(PDF).status_code == 202  # now drawn anew
    assert sorted(d.status for d in _documents(db)) == ["queued", "ready"]
    invoke(runner, "pdf", "work", "--once")
    fresh = national.get(PDF)
    assert "Foxtrot-yksikkö" in pdf_text(fresh)
    assert [d.status for d in _documents(db)] == ["ready"]  # the older file is gone
