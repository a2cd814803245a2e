"""The respondent's pages have no axe-core WCAG 2.1 AA violations in Chromium.

Each state is checked at desktop width (1280 px) and at 375 px, where the page must
also not scroll sideways. One screenshot per state and width goes to /tmp/a11y-shots/.
"""

import json
from pathlib import Path

import pytest

from survey_app.models.types import utcnow
from tests.browser.helpers import AXE_OPTIONS, WIDTHS, check_page, new_link
from tests.factories import make_invitation, make_round

pytestmark = pytest.mark.browser

# The version pinned in tests/browser/package.json, which the installed copy must match.
PACKAGE = json.loads((Path(__file__).parent / "package.json").read_text(encoding="utf-8"))
AXE_VERSION = PACKAGE["devDependencies"]["axe-core"]


def open_form(page, link):
    response = page.goto(link)
    assert response.status == 200
    page.wait_for_load_state("load")


def submit(page, action):
    with page.expect_navigation() as navigation:
        page.click(f'form button[name="action"][value="{action}"]')
    return navigation.value


def test_empty_form(page, width, live_server, axe_source, shots_dir):
    open_form(page, new_link(live_server))
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator('input[name="k1_1"]').count() == 3
    check_page(page, width, axe_source, shots_dir, "form-empty")


def test_form_with_validation_errors(page, width, live_server, axe_source, shots_dir):
    open_form(page, new_link(live_server))
    # What a browser cannot send by typing (maxlength, fixed radio values) but a
    # tampered or pasted-in form can: a radio group error and a text error.
    page.evaluate(
        """() => {
            const radio = document.getElementById('k1_1-0');
            radio.value = 'maybe';
            radio.checked = true;
            document.getElementById('kehy_other').value = 'x'.repeat(10001);
        }"""
    )
    response = submit(page, "save")
    assert response.status == 422
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == ["#k1_1-0", "#kehy_other"]
    for href in hrefs:  # every link in the summary leads to a field on the page
        assert page.locator(href).count() == 1, href
    check_page(page, width, axe_source, shots_dir, "form-errors")


def test_submitted_confirmation(page, width, live_server, axe_source, shots_dir):
    open_form(page, new_link(live_server))
    page.check("#k1_1-1")
    page.fill("#kehy_mission", "Kehitämme sosiaalityötä\nyhdessä kuntien kanssa.")
    response = submit(page, "submit")
    assert response.url.endswith("/done")  # the redirect target after the 303
    page.wait_for_load_state("load")
    assert "Suunnitteilla" in page.inner_text("main")
    check_page(page, width, axe_source, shots_dir, "done")


def test_closed_round_read_only(page, width, live_server, axe_source, shots_dir):
    with live_server.session():
        round_ = make_round()
        round_id = round_.id
        _, path = make_invitation(round_=round_)
    link = live_server.url + path
    open_form(page, link)
    page.check("#k1_1-0")
    submit(page, "submit")
    with live_server.session():
        from survey_app.extensions import db
        from survey_app.models import Round

        closed = db.session.get(Round, round_id)
        closed.state, closed.closed_at = "closed", utcnow()
        db.session.commit()
    open_form(page, link)
    assert page.locator("form").count() == 0
    check_page(page, width, axe_source, shots_dir, "closed")


def test_swedish_unit_form(page, width, live_server, axe_source, shots_dir):
    open_form(page, new_link(live_server, language="sv"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "Verksamhetsstrukturen är nätverksbaserad" in page.inner_text("main")
    check_page(page, width, axe_source, shots_dir, "form-sv")


def test_axe_reports_a_planted_violation(browser, live_server, axe_source):
    """The check above is not vacuous: the same axe run finds a broken control."""
    context = browser.new_context(viewport=WIDTHS["desktop"], bypass_csp=True)
    try:
        page = context.new_page()
        open_form(page, new_link(live_server))
        page.evaluate(
            """() => document.querySelector('main').insertAdjacentHTML(
                'beforeend', '<input type="text" name="planted">')"""
        )
        page.add_script_tag(content=axe_source)
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        assert [v["id"] for v in results["violations"]] == ["label"]
        assert results["testEngine"]["version"] == AXE_VERSION
    finally:
        context.close()
