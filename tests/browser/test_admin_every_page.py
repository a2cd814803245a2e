"""Every admin page in Chromium, with data that makes its tables wide (long names and
addresses, a long answer from a mail server, long values in the audit log): no axe-core
WCAG 2.1 AA violations and no table cut at 1280 px, no sideways scrolling at 375 px.
A page added to the service without a place here fails the first test."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.browser.conftest import copy_of_template, serving
from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_invitation, make_response, make_round, make_unit

pytestmark = pytest.mark.browser

LONG_EMAIL = "yhteyshenkilo.jolla.on.erittain.pitka.osoite@kehittamisyksikko-esimerkki.fi"
LONG_NAME = "Kanta-Hämeen, Pirkanmaan ja Satakunnan lastensuojelun ja perhetyön kehittämisyksikkö"
SERVER_ANSWER = (
    "550 5.1.1 <" + LONG_EMAIL + ">: Recipient address rejected: "
    "The email account that you tried to reach does not exist. Please try double-checking "
    "the recipient's email address for typos or unnecessary spaces."
)
REGIONS = ["Itä-Suomi", "Kanta-Häme, Pirkanmaa, Satakunta", "Pohjois-Suomi", "Lappi"]


@dataclass(frozen=True)
class Data:
    slug: str
    code: str
    message_id: int
    reset_path: str


# Admin pages that are downloads, not pages (their content is tested elsewhere).
DOWNLOADS = {
    "directory.admin_directory_docx",
    "directory.admin_directory_pdf",
    "results.report_pdf",
    "exports.download",
    "authoring.download",
}
# Pages seen before logging in.
LOGGED_OUT = {
    "auth.login": lambda d: "/admin/login",
    "auth.forgot": lambda d: "/admin/password/forgot",
    "auth.reset": lambda d: d.reset_path,
}
PAGES = {
    "rounds.index": lambda d: "/admin/",
    "rounds.new": lambda d: "/admin/rounds/new",
    "past_rounds.start": lambda d: "/admin/rounds/import",
    "dashboard.show": lambda d: f"/admin/rounds/{d.slug}",
    "dashboard.unit": lambda d: f"/admin/rounds/{d.slug}/units/{d.code}",
    "rounds.manage": lambda d: f"/admin/rounds/{d.slug}/manage",
    "rounds.preview": lambda d: f"/admin/rounds/{d.slug}/preview",
    "results.report": lambda d: f"/admin/rounds/{d.slug}/report",
    "free_text.answers": lambda d: f"/admin/rounds/{d.slug}/answers",
    "units.list_units": lambda d: "/admin/units?q=kehitt",
    "units.unit_page": lambda d: f"/admin/units/{d.code}/edit",
    "units.new_unit": lambda d: "/admin/units/new",
    "units.upload": lambda d: "/admin/units/upload",
    "outbox.messages": lambda d: "/admin/outbox",
    "outbox.message": lambda d: f"/admin/outbox/{d.message_id}",
    "audit.log": lambda d: "/admin/audit",
    "directory.admin_directory": lambda d: "/admin/directory",
    "authoring.index": lambda d: "/admin/questionnaires",
}


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory):
    """A database of its own: these units would join other tests' open rounds."""
    with serving(copy_of_template(sqlite_template, tmp_path_factory, "every-page")) as server:
        yield server


def test_every_admin_page_has_a_place_here(server):
    pages = {
        rule.endpoint
        for rule in server.app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "GET" in rule.methods
    }
    assert pages - DOWNLOADS == set(PAGES) | set(LOGGED_OUT)


@pytest.fixture(scope="module")
def data(server) -> Data:
    email = ensure_admin(server)
    with server.session():
        from survey_app.auth.password_reset import link_for, request_reset
        from survey_app.extensions import db
        from survey_app.models import Admin, AuditEntry
        from survey_app.outbox.queue import queue_message

        round_ = make_round()
        wide = make_unit(name=LONG_NAME, contact_email=LONG_EMAIL, region=REGIONS[1])
        invitation, _ = make_invitation(round_=round_, unit=wide)
        for number in range(12):
            unit = make_unit(region=REGIONS[number % 4], contact_email=f"{number}.{LONG_EMAIL}")
            other, _ = make_invitation(round_=round_, unit=unit)
            if number % 3:
                make_response(
                    other,
                    {"k1_1": "yes" if number % 2 else "no", "kehy_mission": "Pitkä " * 40},
                )
        message = queue_message(invitation, "invitation")
        message.status = "failed"
        message.last_error = SERVER_ANSWER
        admin = db.session.scalar(select(Admin).filter_by(email=email))
        AuditEntry.record(
            admin,
            "change contact email",
            f"unit {wide.code}",
            wide.region,
            before={"contact_email": "vanha." + LONG_EMAIL},
            after={"contact_email": LONG_EMAIL},
        )
        reset = request_reset(email, "fi")
        reset_path = link_for(reset).split("://", 1)[1].split("/", 1)[1]
        db.session.commit()
        return Data(round_.slug, wide.code, message.id, "/" + reset_path)


@pytest.mark.parametrize("endpoint", sorted(LOGGED_OUT))
def test_logged_out_page(page, width, server, axe_source, shots_dir, data, endpoint):
    response = page.goto(server.url + LOGGED_OUT[endpoint](data))
    assert response.status == 200
    check_page(page, width, axe_source, shots_dir, f"every-{endpoint}")


@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_admin_page(page, width, server, axe_source, shots_dir, data, endpoint):
    log_in(page, server, ensure_admin(server))
    response = page.goto(server.url + PAGES[endpoint](data))
    assert response.status == 200, endpoint
    assert page.locator("h1").count() == 1
    check_page(page, width, axe_source, shots_dir, f"every-{endpoint}")
