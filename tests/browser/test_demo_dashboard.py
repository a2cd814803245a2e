"""The demo's open round, as an admin first sees it at 1280 × 900: its dashboard is
shorter than three screens, every table whole, and it passes axe-core. The demo runs
on a database of its own (its 58 units would join every other test's open rounds)."""

import re

import pytest

from tests.browser.conftest import copy_of_template, serving
from tests.browser.helpers import WIDTHS, check_page, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(sqlite_template, tmp_path_factory):
    app = copy_of_template(sqlite_template, tmp_path_factory, "demo")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password (\S+) \(shown once\)", result.output).group(1)
    with serving(app) as server:
        yield server, password


def test_the_demo_dashboard_fits_in_three_screens(page, width, demo_server, axe_source, shots_dir):
    from survey_app.demo import DEMO_ADMIN, DEMO_SLUG

    server, password = demo_server
    log_in(page, server, DEMO_ADMIN, password)
    page.goto(f"{server.url}/admin/rounds/{DEMO_SLUG}")
    assert page.locator("#dashboard-missing tbody tr").count() > 20  # a real list
    check_page(page, width, axe_source, shots_dir, "demo-dashboard")
    if width == "desktop":  # check_page found no table cut
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 3 * WIDTHS["desktop"]["height"], f"{height} px"
