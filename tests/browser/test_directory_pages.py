"""The KEHY directory page: no axe-core WCAG 2.1 AA violations in Chromium, at desktop
and phone width, with a real profile's long texts (screenshots in the shots dir)."""

import pytest

from survey_app.extensions import db
from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_invitation, make_response, make_round, make_unit

pytestmark = pytest.mark.browser

PROFILE = {
    "kehy_name": "Itä-Suomen lastensuojelun kehittämisyksikkö",
    "kehy_municipality": "Kuopio",
    "kehy_area": "Pohjois-Savo, Etelä-Savo ja Pohjois-Karjala",
    "kehy_staff": "Kuusi henkeä: kehittämispäällikkö, kaksi suunnittelijaa ja kolme "
    "sosiaalityöntekijää.\nOsaamista: lastensuojelun avohuolto, sijaishuolto.",
    "kehy_contact": "kehittamisyksikko@example.fi, puh. 040 123 4567",
    "kehy_mission": "Lastensuojelun käytäntöjen kehittäminen tutkimuksen ja käytännön "
    "yhteistyönä koko alueella.",
}


def directory_data(live_server) -> None:
    with live_server.session():
        round_ = make_round()
        for region, field, name in [
            ("Itä-Suomi", "Lastensuojelu", "Itä-Suomen LAKE"),
            ("Itä-Suomi", "Vammaispalvelut", "Savon VAKE"),
            ("Lappi", "Lastensuojelu", "Lapin LAKE"),
        ]:
            invitation, _link = make_invitation(
                round_=round_, unit=make_unit(region=region, field=field, name=name)
            )
            make_response(invitation, {**PROFILE, "kehy_name": name})
        db.session.commit()


def test_directory_page(page, width, live_server, axe_source, shots_dir):
    email = ensure_admin(live_server)
    directory_data(live_server)
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/directory")
    assert page.locator("h1").count() == 1
    assert page.locator("#directory-toc").count() == 1
    assert page.locator("h4").count() >= 3
    check_page(page, width, axe_source, shots_dir, "admin-directory")
    # Printed: no navigation, links or footer; each region starts a page.
    page.emulate_media(media="print")
    for hidden in (".admin-nav", ".language-switch", "#directory-docx", ".site-footer"):
        assert not page.locator(hidden).is_visible(), hidden
    assert page.locator("#directory-toc").is_visible()
    breaks = page.eval_on_selector(
        ".directory-region", "element => getComputedStyle(element).breakBefore"
    )
    assert breaks == "page"
    page.screenshot(path=str(shots_dir / f"admin-directory-print-{width}.png"), full_page=True)


def test_directory_pdf_being_made_page(page, width, live_server, axe_source, shots_dir):
    """A large directory's PDF is drawn in the background: its page says so, accessibly."""
    email = ensure_admin(live_server)
    directory_data(live_server)
    log_in(page, live_server, email)
    live_server.app.config["PDF_INLINE_MAX_UNITS"] = 0
    try:
        response = page.goto(f"{live_server.url}/admin/directory.pdf")
        assert response.status == 202
        assert page.locator("#pdf-check").count() == 1
        check_page(page, width, axe_source, shots_dir, "admin-directory-pdf-waiting")
    finally:
        live_server.app.config["PDF_INLINE_MAX_UNITS"] = 60
