"""The admin's login page and a round's dashboard: no axe-core WCAG 2.1 AA violations
in Chromium, at desktop and phone width."""

import pytest

from survey_app.admin.accounts import create_admin
from survey_app.extensions import db
from tests.browser.test_accessibility import check_page, new_link
from tests.factories import make_unit

pytestmark = pytest.mark.browser

PASSWORD = "oikein-pitka-salasana"


def ensure_admin(live_server) -> str:
    email = "saavutettava@example.fi"
    with live_server.session():
        from survey_app.models import Admin

        if db.session.query(Admin).filter_by(email=email).first() is None:
            make_unit(region="Itä-Suomi")
            create_admin(email, "national", None, PASSWORD)
            db.session.commit()
    return email


def log_in(page, live_server, email, password=PASSWORD):
    page.goto(live_server.url + "/admin/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def test_login_page_with_an_error(page, width, live_server, axe_source, shots_dir):
    log_in(page, live_server, "nobody@example.fi", "wrong password!!")
    assert page.locator(".error-summary").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-login-error")


def test_round_dashboard(page, width, live_server, axe_source, shots_dir):
    email = ensure_admin(live_server)
    link = new_link(live_server)  # a round with an invited unit
    slug = None
    with live_server.session():
        from survey_app.invitations.services import find_by_token

        slug = find_by_token(link.rsplit("/", 1)[1]).round.slug
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/rounds/{slug}")
    assert page.locator("h1").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-dashboard")


def test_units_page(page, width, live_server, axe_source, shots_dir):
    email = ensure_admin(live_server)
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/units?q=e")
    assert page.locator("table").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-units")
