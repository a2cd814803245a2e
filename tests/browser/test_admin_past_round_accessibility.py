"""Importing a past round in the browser (the form with errors, a preview with bad rows,
a preview to confirm, the imported round's page): no axe-core WCAG 2.1 AA violations in
Chromium, at desktop and phone width."""

import itertools

import pytest

from survey_app.extensions import db
from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_unit

pytestmark = pytest.mark.browser

EMAIL = "menneet@example.fi"
_slugs = itertools.count(1)


def log_in_with_units(page, live_server):
    ensure_admin(live_server, EMAIL, with_unit=False)
    with live_server.session():
        from survey_app.models import Unit

        for code in ("MENN1", "MENN2"):
            if db.session.query(Unit).filter_by(code=code).first() is None:
                make_unit(code=code, name=f"Aiemmin vastannut yksikkö {code}")
        db.session.commit()
    log_in(page, live_server, EMAIL)


def fill_and_send(page, live_server, text, slug=None, closed_on="2007-12-14"):
    page.goto(live_server.url + "/admin/rounds/import")
    page.fill("#title", "Kartoitus joulukuu 2007")
    page.fill("#slug", slug or f"joulu-07-{next(_slugs)}")
    page.fill("#closed_on", closed_on)
    page.set_input_files(
        "#answers", {"name": "joulu-07.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_form_with_errors(page, width, live_server, axe_source, shots_dir):
    log_in_with_units(page, live_server)
    fill_and_send(page, live_server, "code,k1_1\nMENN1,yes\n", slug="Väärä", closed_on="2999-01-01")
    assert page.locator("#slug-error").count() == 1
    assert page.locator("#closed_on-error").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-past-round-form-errors")


def test_preview_with_bad_rows(page, width, live_server, axe_source, shots_dir):
    log_in_with_units(page, live_server)
    fill_and_send(page, live_server, "code,k1_1\nMENN1,ehkä\nEI-OLE,yes\n")
    assert page.locator("#preview-errors tbody tr").count() == 2
    check_page(page, width, axe_source, shots_dir, "admin-past-round-preview-errors")


def test_preview_and_the_imported_round(page, width, live_server, axe_source, shots_dir):
    log_in_with_units(page, live_server)
    fill_and_send(page, live_server, "code,k1_1,k1_2\nMENN1,yes,no\nMENN2,kyllä,\n")
    assert page.locator("#preview-units tbody tr").count() == 2
    check_page(page, width, axe_source, shots_dir, "admin-past-round-preview")
    with page.expect_navigation():
        page.click("#confirm-form button")
    assert page.locator(".imported-round").count() == 1, page.inner_text("main")
    check_page(page, width, axe_source, shots_dir, "admin-past-round-imported")
