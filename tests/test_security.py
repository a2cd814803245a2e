"""Headers every page gets, and the request guard in front of every view."""

import pytest

from tests.admin.test_accounts import PASSWORD, create, login
from tests.factories import make_round


def test_every_page_gets_the_protective_headers(client):
    page = client.get("/admin/login")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/rounds/%00",
        "/admin/rounds/%00/manage",
        "/admin/audit?action=%00",
        "/admin/audit?admin=x%00y",
        "/admin/units?%00=1",
        "/r/abc%00def",
    ],
)
def test_a_nul_byte_in_the_address_is_a_clear_400_on_every_database(client, runner, db, url):
    make_round(slug="kevat")
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    page = client.get(url)
    assert page.status_code == 400
    assert "Traceback" not in page.get_data(as_text=True)


def test_a_nul_byte_in_a_post_address_is_refused_too(client, runner, db):
    make_round(slug="kevat")
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    assert client.post("/admin/rounds/kevat/units/%00/resend").status_code == 400
