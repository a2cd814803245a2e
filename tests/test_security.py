"""Headers every page gets, and the request guard in front of every view."""

import pytest

from tests.factories import make_round
from tests.helpers import CSRF_RE, PASSWORD, create, login


def test_every_page_gets_the_protective_headers(client):
    page = client.get("/admin/login")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/rounds/%00", 404),
        ("/admin/rounds/%00/manage", 404),
        ("/r/abc%00def", 404),
        ("/admin/audit?action=%00", 400),
        ("/admin/audit?admin=x%00y", 400),
        ("/admin/units?%00=1", 400),
        ("/admin/outbox?round=kevat%00", 400),
    ],
)
def test_a_nul_byte_in_the_address_is_refused_clearly_on_every_database(
    client, runner, db, url, status
):
    make_round(slug="kevat")
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    page = client.get(url)
    assert page.status_code == status
    assert "Traceback" not in page.get_data(as_text=True)


def test_a_nul_byte_in_a_post_address_is_refused_too(client, runner, db):
    make_round(slug="kevat")
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    csrf = CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)
    page = client.post("/admin/rounds/kevat/units/%00/resend", data={"csrf_token": csrf})
    assert page.status_code == 404
