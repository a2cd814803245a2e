"""A round run from the browser, start to finish, in Debian's Chromium: the admin logs in,
creates and opens a round, sends the invitations; the mail worker writes them out; a
unit answers through the link in its email; the dashboard's rates table shows it."""

import email
import re
from datetime import date, timedelta
from email import policy
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from survey_app.invitations.services import find_by_token
from survey_app.outbox.worker import Worker
from tests.browser.helpers import ensure_admin, log_in, submitted_cell

pytestmark = pytest.mark.browser

LINK_RE = re.compile(r"http://localhost(/r/[A-Za-z0-9_-]+)")


def rates_row(page, label: str):
    return page.locator(f'#dashboard-rates tr:has(th:text-is("{label}")) td').first


def emailed_links(live_server, folder, slug) -> list[str]:
    """The links to round `slug` in the text part of every message the worker wrote
    (the worker also sends what earlier tests left queued, such as a receipt)."""
    links = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        links += LINK_RE.findall(message.get_body(preferencelist=("plain",)).get_content())
    with live_server.session():
        found = {link: find_by_token(link[3:]) for link in links}
        return [link for link, match in found.items() if match and match.round.slug == slug]


def test_an_admin_runs_a_round_and_sees_a_unit_answer(page, live_server, tmp_path, monkeypatch):
    admin_email = ensure_admin(live_server)  # also makes sure the roster has a unit
    mail_dir = tmp_path / "mail"
    monkeypatch.setitem(live_server.app.config, "MAIL_FILE_DIR", str(mail_dir))
    slug = f"selain-{uuid4().hex[:8]}"

    log_in(page, live_server, admin_email)
    with page.expect_navigation():
        page.click('main a[href$="/admin/rounds/new"]')
    page.fill("#title", "Selaintestin kartoitus")
    page.fill("#slug", slug)
    page.fill("#deadline_date", (date.today() + timedelta(days=21)).isoformat())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(f"/admin/rounds/{slug}/manage"), page.url

    with page.expect_navigation():
        page.click("#open-round")
    assert page.locator(".notice--success").count() == 1
    page.goto(f"{live_server.url}/admin/rounds/{slug}")
    invited = int(rates_row(page, "Kutsuttu").inner_text())
    assert invited >= 1
    assert submitted_cell(page).inner_text() == "0"

    with page.expect_navigation():
        page.click("#send-form button[type=submit]")
    assert page.locator(".notice--success").count() == 1
    with live_server.session():
        Worker().run_once()  # no MAIL_SERVER: the messages are written as .eml files
    links = emailed_links(live_server, mail_dir, slug)
    assert len(links) == invited

    page.reload()
    expect(rates_row(page, "Sähköposti perillä")).to_have_text(str(invited))
    respondent = page.context.new_page()
    respondent.goto(live_server.url + links[0])
    respondent.check("#k1_1-1")
    with respondent.expect_navigation():
        respondent.click('form button[name="action"][value="submit"]')
    assert respondent.locator("h1").count() == 1
    respondent.close()

    page.reload()
    expect(submitted_cell(page)).to_have_text("1")
