"""Publishing a questionnaire version in the browser (the page with a refused file, the
preview with its difference and warnings in Swedish, the published list): no axe-core
WCAG 2.1 AA violations in Chromium, at desktop and phone width; the file goes up
through the page's own file input."""

import copy

import pytest

from survey_app.questionnaires.registry import shipped_definitions
from survey_app.questionnaires.xlsform_write import write_xlsform
from tests.browser.conftest import copy_of_template, serving
from tests.browser.helpers import check_page, ensure_admin, log_in

pytestmark = pytest.mark.browser

EMAIL = "kyselyt@example.fi"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def server(sqlite_template, tmp_path_factory):
    """A database of each test's own: a version published here would be the newest
    for every other test's new round."""
    with serving(copy_of_template(sqlite_template, tmp_path_factory, "publish")) as server:
        yield server


def changed_criteria(broken: bool = False) -> bytes:
    """k1_1 reworded in Swedish, k1_2 asked with other options, k1_9 added."""
    data = copy.deepcopy(shipped_definitions()["criteria"])
    items = data["sections"][0]["items"]
    items[0]["text"]["sv"] = "Verksamhetsstrukturen är ett nätverk"
    items[1].pop("scale")
    items[1]["options"] = [
        {"value": "yes", "label": {"fi": "Kyllä", "sv": "Ja", "en": "Yes"}},
        {"value": "no", "label": {"fi": "Ei", "sv": "Nej", "en": "No"}},
    ]
    new = copy.deepcopy(items[0])
    new["code"], new["text"] = "k1_9", {"fi": "Uusi", "sv": "Ny", "en": "New"}
    items.append(new)
    if broken:
        items[0]["text"]["sv"] = " "
    return write_xlsform(data)


def send(page, server, content: bytes):
    page.goto(server.url + "/admin/questionnaires")
    page.set_input_files(
        "#definition", {"name": "kriteerit.xlsx", "mimeType": XLSX, "buffer": content}
    )
    with page.expect_navigation():
        page.click("main form[enctype] button[type=submit]")


def test_a_refused_file(page, width, server, axe_source, shots_dir):
    ensure_admin(server, EMAIL)
    log_in(page, server, EMAIL)
    send(page, server, changed_criteria(broken=True))
    assert page.locator("#upload-errors li").count() == 1
    assert "label::sv" in page.inner_text("#upload-errors")
    check_page(page, width, axe_source, shots_dir, "admin-questionnaire-refused")


def test_preview_in_swedish_and_publishing(page, width, server, axe_source, shots_dir):
    ensure_admin(server, EMAIL)
    log_in(page, server, EMAIL)
    send(page, server, changed_criteria())
    assert page.locator("#breaks-comparison li").count() == 1  # k1_2's options
    assert page.locator("#reworded-k1_1 ins").inner_text() == "Verksamhetsstrukturen är ett nätverk"
    with page.expect_navigation():
        page.click("#form-languages button[value=sv]")
    assert "Ny" in page.inner_text("#item-k1_9")
    check_page(page, width, axe_source, shots_dir, "admin-questionnaire-preview")
    with page.expect_navigation():
        page.click("#confirm-form button")
    assert page.locator(".notice--success").count() == 1, page.inner_text("main")
    check_page(page, width, axe_source, shots_dir, "admin-questionnaire-published")
