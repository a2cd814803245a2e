"""The roster pages (a unit's page, adding one with errors, the upload form, a preview
with changes and one with errors): no axe-core WCAG 2.1 AA violations in Chromium, at
desktop and phone width."""

import pytest

from survey_app.extensions import db
from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_unit

pytestmark = pytest.mark.browser

EMAIL = "rekisteri@example.fi"
HEADER = "code,name,field,status,region,municipality,contact_name,contact_email,language"


def ensure_roster(live_server) -> str:
    """This module's own admin (made without the shared helper's extra unit) and the unit
    SAAV1, whose long name and address test the layout."""
    ensure_admin(live_server, EMAIL, with_unit=False)
    with live_server.session():
        from survey_app.models import Unit

        if db.session.query(Unit).filter_by(code="SAAV1").first() is None:
            make_unit(
                code="SAAV1",
                name="Saavutettava yksikkö, jolla on varsin pitkä nimi",
                region="Itä-Suomi",
                contact_email="pitka.osoite.saavutettavuus@kuopio.example.fi",
            )
        db.session.commit()
    return EMAIL


def log_in_to_roster(page, live_server):
    log_in(page, live_server, ensure_roster(live_server))


def submit(page, selector="main form button[type=submit]"):
    with page.expect_navigation():
        page.click(selector)


def upload(page, live_server, text):
    page.goto(live_server.url + "/admin/units/upload")
    page.set_input_files(
        "#roster", {"name": "rekisteri.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    submit(page)


def test_unit_page(page, width, live_server, axe_source, shots_dir):
    log_in_to_roster(page, live_server)
    page.goto(live_server.url + "/admin/units/SAAV1/edit")
    assert page.locator("#unit-code").inner_text() == "SAAV1"
    check_page(page, width, axe_source, shots_dir, "admin-unit")


def test_new_unit_with_errors(page, width, live_server, axe_source, shots_dir):
    log_in_to_roster(page, live_server)
    page.goto(live_server.url + "/admin/units/new")
    page.fill("#code", "SAAV1")  # taken
    page.fill("#contact_email", "ei osoite")
    submit(page)
    assert page.locator(".error-summary").count() == 1
    assert page.locator("#code-error").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-unit-new-errors")


def test_upload_page(page, width, live_server, axe_source, shots_dir):
    log_in_to_roster(page, live_server)
    page.goto(live_server.url + "/admin/units/upload")
    assert page.locator("input[type=file]").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-roster-upload")


def test_upload_refused(page, width, live_server, axe_source, shots_dir):
    log_in_to_roster(page, live_server)
    upload(page, live_server, "code,name\nX,Y\n")
    assert page.locator("#upload-errors").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-roster-upload-refused")


def test_preview_with_changes(page, width, live_server, axe_source, shots_dir):
    log_in_to_roster(page, live_server)
    rows = [
        "SAAV1,Saavutettava yksikkö uudella ja vielä pidemmällä nimellä,Lastensuojelu,active,"
        "Itä-Suomi,Kuopio,Testi Henkilö,uusi.pitka.osoite@kuopio.example.fi,fi",
        "SAAV2,Uusi yksikkö,Päihdepalvelut,preparing,Itä-Suomi,Joensuu,Uusi Ihminen,"
        "uusi@joensuu.fi,sv",
    ]
    upload(page, live_server, "\n".join([HEADER, *rows]))
    assert page.locator("#confirm-form").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-roster-preview")


def test_preview_with_errors(page, width, live_server, axe_source, shots_dir):
    log_in_to_roster(page, live_server)
    rows = [
        "SAAV3,,Lastensuojelu,aktiivinen,Itä-Suomi,,,ei-osoite,de",
        "SAAV4,Nimi,Lastensuojelu,active,Uusi alue,,,ok@example.fi,fi",
    ]
    upload(page, live_server, "\n".join([HEADER, *rows]))
    assert page.locator("#preview-errors").count() == 1
    assert page.locator("#confirm-form").count() == 0
    check_page(page, width, axe_source, shots_dir, "admin-roster-preview-errors")
