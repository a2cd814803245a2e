"""The round pages (new round, manage, preview): no axe-core WCAG 2.1 AA violations in
Chromium, at desktop and phone width."""

import secrets
from datetime import timedelta

import pytest

from survey_app.extensions import db
from survey_app.models.types import utcnow
from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_invitation, make_round, make_unit

pytestmark = pytest.mark.browser


def open_round_with_a_late_unit(live_server) -> str:
    """An open round past its deadline, with reminders, a text of its own and one unit
    let answer late: every part of the manage page is shown."""
    slug = f"a11y-{secrets.token_hex(4)}"
    with live_server.session():
        round_ = make_round(slug=slug, deadline=utcnow() - timedelta(hours=2))
        round_.reminder_days = [7, 2]
        round_.email_texts = {
            "invitation": {"sv": {"subject": "Enkät {round_title}", "body": "Länk: {link}"}}
        }
        invitation, _path = make_invitation(round_=round_, unit=make_unit(region="Itä-Suomi"))
        invitation.late_until = utcnow() + timedelta(days=3)
        db.session.commit()
    return slug


def test_new_round_page(page, width, live_server, axe_source, shots_dir):
    log_in(page, live_server, ensure_admin(live_server))
    page.goto(f"{live_server.url}/admin/rounds/new")
    page.click("details.email-text summary >> nth=0")  # one email text opened
    check_page(page, width, axe_source, shots_dir, "admin-round-new")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-round-new-error")


def test_manage_page(page, width, live_server, axe_source, shots_dir):
    slug = open_round_with_a_late_unit(live_server)
    log_in(page, live_server, ensure_admin(live_server))
    page.goto(f"{live_server.url}/admin/rounds/{slug}/manage")
    assert page.locator("#late-units").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-round-manage")


def test_manage_page_of_a_draft(page, width, live_server, axe_source, shots_dir):
    slug = f"a11y-{secrets.token_hex(4)}"
    with live_server.session():
        make_round(slug=slug, state="draft")
        db.session.commit()
    log_in(page, live_server, ensure_admin(live_server))
    page.goto(f"{live_server.url}/admin/rounds/{slug}/manage")
    assert page.locator("#open-round").count() == 1
    check_page(page, width, axe_source, shots_dir, "admin-round-manage-draft")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_preview_page(page, width, live_server, axe_source, shots_dir, language):
    slug = open_round_with_a_late_unit(live_server)
    log_in(page, live_server, ensure_admin(live_server))
    page.goto(f"{live_server.url}/admin/rounds/{slug}/preview?language={language}")
    assert page.locator("#preview-banner").count() == 1
    with page.expect_navigation():
        page.click("#answers button[value=submit]")  # the required item is left empty
    assert page.locator(".error-summary").count() == 1
    check_page(page, width, axe_source, shots_dir, f"admin-round-preview-{language}")
