"""The admin's pages: no axe-core WCAG 2.1 AA violations in Chromium, at desktop and
phone width; the dashboard sends invitations and refreshes its numbers by itself."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from tests.browser.helpers import check_page, ensure_admin, log_in, new_link, submitted_cell
from tests.factories import make_invitation, make_round, make_unit

pytestmark = pytest.mark.browser


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


def dashboard_round(live_server, units=2):
    """An open round with `units` invited units (not mailed): its slug and links."""
    with live_server.session():
        round_ = make_round()
        links = [
            live_server.url + make_invitation(round_=round_, unit=make_unit(region="Itä-Suomi"))[1]
            for _ in range(units)
        ]
        return round_.slug, links


def test_the_dashboard_sends_invitations_and_refreshes_its_numbers(
    page, width, live_server, axe_source, shots_dir
):
    email = ensure_admin(live_server)
    slug, links = dashboard_round(live_server)
    page.clock.install()  # admin.js's 30-second timer runs when the test says
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/rounds/{slug}")
    with page.expect_navigation():
        page.click("#send-form button[type=submit]")
    assert page.locator(".notice--success").count() == 1
    assert page.locator("#send-form").count() == 0
    assert submitted_cell(page).inner_text() == "0"
    # The admin has ticked a unit to remind: that list must not be swapped under it.
    second_code = (
        page.locator('#dashboard-missing input[name="unit"]').nth(1).get_attribute("value")
    )
    page.check(f"#pick-{second_code}")
    respondent = page.context.new_page()
    respondent.goto(links[0])
    respondent.check("#k1_1-1")
    with respondent.expect_navigation():
        respondent.click('form button[name="action"][value="submit"]')
    respondent.close()
    page.clock.run_for(31_000)
    expect(submitted_cell(page)).to_have_text("1")
    assert page.is_checked(f"#pick-{second_code}")
    assert page.locator("#dashboard-updated").get_attribute("role") == "status"
    check_page(page, width, axe_source, shots_dir, "admin-dashboard-refreshed")


def test_outbox_pages(page, width, live_server, axe_source, shots_dir, tmp_path):
    email = ensure_admin(live_server)
    live_server.app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    slug, _links = dashboard_round(live_server, units=1)
    with live_server.session():
        from survey_app.invitations.mailing import queue_invitations
        from survey_app.models import OutboxMessage, Round
        from survey_app.outbox.worker import Worker

        queue_invitations(db.session.scalar(select(Round).filter_by(slug=slug)))
        db.session.commit()
        Worker().run_once()  # no MAIL_SERVER: written as .eml files, readable
        failed = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        failed.status = "failed"
        failed.last_error = "550 5.1.1 " + "The email account that you tried to reach " * 4
        db.session.commit()
        failed_id = failed.id
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/outbox")
    assert page.locator("#outbox-messages").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-outbox")
    page.goto(f"{live_server.url}/admin/outbox/{failed_id}")
    assert page.locator("#captured-text").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-outbox-message")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#message-state").inner_text() != ""
    assert page.locator(".notice--success").count() == 1


def test_audit_log_with_a_bad_date(page, width, live_server, axe_source, shots_dir):
    email = ensure_admin(live_server)
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/audit?from=31.3.2027")
    assert page.locator(".error-summary").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-audit-error")
