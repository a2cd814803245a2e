"""The report page in Chromium: no axe-core WCAG 2.1 AA violations at desktop and phone
width, no sideways scrolling at 375 px, and a screenshot to look at."""

import pytest

from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_invitation, make_response, make_round, make_unit

pytestmark = pytest.mark.browser

VALUES = ["yes"] * 6 + ["planned"] * 2 + ["no"] * 2
REGIONS = ["Itä-Suomi"] * 6 + ["Pohjois-Suomi"] * 3 + ["Lappi"]


def report_round(live_server) -> str:
    """An open round with ten submitted units: every criteria item answered, a small
    region (Lappi) to suppress."""
    with live_server.session():
        round_ = make_round()
        for number, (value, region) in enumerate(zip(VALUES, REGIONS, strict=True)):
            unit = make_unit(
                region=region,
                field="Lastensuojelu" if number % 3 else "Vanhusten palvelut",
                status="preparing" if number == 9 else "active",
            )
            invitation, _ = make_invitation(round_=round_, unit=unit)
            answers = {
                f"k{k}_{i}": VALUES[(number + k + i) % len(VALUES)]
                for k in (1, 2, 3, 4)
                for i in (1, 2, 3)
            }
            answers["k1_1"] = value
            make_response(invitation, _valid(round_, answers))
        return round_.slug


def _valid(round_, answers):
    """Only the codes the criteria questionnaire really has."""
    from survey_app.results.aggregate import criterion_items

    codes = {item.code for _, item in criterion_items(round_)}
    return {code: value for code, value in answers.items() if code in codes}


def test_report_page(page, width, live_server, axe_source, shots_dir):
    email = ensure_admin(live_server)
    slug = report_round(live_server)
    log_in(page, live_server, email)
    response = page.goto(f"{live_server.url}/admin/rounds/{slug}/report")
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("svg.stacked-bar").count() >= 4
    check_page(page, width, axe_source, shots_dir, "admin-report")
    if width == "desktop":
        # Printed: no navigation, language switch or back link; the charts stay.
        page.emulate_media(media="print")
        assert not page.locator(".admin-nav").is_visible()
        assert not page.locator(".language-switch").is_visible()
        assert not page.locator(".report-back").is_visible()
        assert page.locator("svg.stacked-bar").first.is_visible()
        breaks = page.locator(".report-criterion").first.evaluate(
            "element => getComputedStyle(element).breakBefore"
        )
        assert breaks == "page"
        page.screenshot(path=str(shots_dir / "admin-report-print.png"), full_page=True)
