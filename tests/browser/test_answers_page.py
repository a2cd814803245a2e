"""The free-text answers page in Chromium: no axe-core WCAG 2.1 AA violations at desktop
and phone width, long unbroken texts wrap (no sideways scrolling at 375 px), and a
screenshot to look at."""

import pytest

from tests.browser.helpers import check_page, ensure_admin, log_in
from tests.factories import make_invitation, make_response, make_round, make_unit

pytestmark = pytest.mark.browser

TEXTS = [
    "Lasten ja perheiden palvelujen kehittäminen yhdessä alueen kuntien kanssa.\n"
    "Toinen rivi: tutkimus, koulutus ja käytännön työ samassa yksikössä.",
    "https://example.fi/" + "hyvin-pitkä-osoite-ilman-välilyöntejä-" * 6,
    '<script>alert("x")</script> jäi tekstiksi.',
]


def answers_round(live_server) -> str:
    """An open round where three units wrote texts (one a long unbroken address)."""
    with live_server.session():
        round_ = make_round()
        for number, text in enumerate(TEXTS):
            unit = make_unit(name=f"Kehittämisyksikkö {'ABC'[number]}", region="Itä-Suomi")
            invitation, _ = make_invitation(round_=round_, unit=unit)
            make_response(invitation, {"kehy_mission": text, "kehy_other": TEXTS[0]})
        return round_.slug


def test_answers_page(page, width, live_server, axe_source, shots_dir):
    email = ensure_admin(live_server)
    slug = answers_round(live_server)
    log_in(page, live_server, email)
    response = page.goto(f"{live_server.url}/admin/rounds/{slug}/answers")
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("#text-kehy_mission dd").count() == 3
    assert page.locator("script:not([src])").count() == 0
    check_page(page, width, axe_source, shots_dir, "admin-answers")
