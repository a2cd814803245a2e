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


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/admin/login", {"email": "x\x00@y.fi", "password": "salasana-12345"}),
        ("/admin/password/forgot", {"email": "x\x00@y.fi"}),
        ("/admin/rounds/kevat/remind", {"which": "selected", "unit": "U\x00001"}),
        ("/admin/rounds/kevat/late", {"late_unit": "U\x00", "late_date": "2030-01-01"}),
        ("/admin/units/new", {"code": "A\x00", "name": "Nimi"}),
        ("/admin/rounds/kevat/email-texts", {"invitation_fi_subject": "Hei\x00"}),
        ("/admin/units/new", {"code\x00": "A"}),  # a NUL in a field's name, too
    ],
)
def test_a_nul_byte_in_any_form_value_is_refused_before_any_view(client, runner, db, url, fields):
    """PostgreSQL refuses NUL in any string: one guard answers 400 before a view or a
    query meets it, on every database (these answered 500 on PostgreSQL)."""
    make_round(slug="kevat")
    create(runner, "paa@example.fi", "--role", "national")
    csrf = CSRF_RE.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    if not url.startswith(("/admin/login", "/admin/password")):
        login(client, "paa@example.fi", PASSWORD)
        csrf = CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)
    page = client.post(url, data={"csrf_token": csrf, **fields})
    assert page.status_code == 400
    assert "Traceback" not in page.get_data(as_text=True)


def test_the_same_forms_without_a_nul_are_not_refused_by_the_guard(client, runner, db):
    """The guard can tell: a clean value goes on to the view."""
    create(runner, "paa@example.fi", "--role", "national")
    csrf = CSRF_RE.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    page = client.post(
        "/admin/login", data={"csrf_token": csrf, "email": "x@y.fi", "password": "vaara-salasana"}
    )
    assert page.status_code == 401


@pytest.mark.parametrize(
    ("base_url", "sent"), [("https://kysely.example.fi", True), ("http://localhost", False)]
)
def test_https_sites_tell_browsers_to_stay_on_https(database_url, base_url, sent):
    from tests.helpers import make_app

    client = make_app(database_url, BASE_URL=base_url).test_client()
    headers = client.get("/admin/login").headers
    assert ("Strict-Transport-Security" in headers) is sent
    if sent:
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_multipart_part_without_a_usable_name_is_a_400_not_a_500(client, db):
    """Werkzeug reads a part with no name (or one named with a backslash, as a browser
    sends a field named so) as a field named None; it used to reach the CSRF check
    and give a 500 on every POST."""
    from werkzeug.test import encode_multipart

    from tests.factories import make_invitation
    from tests.helpers import form_fields

    nameless = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
    _invitation, link = make_invitation()
    for path in ("/admin/login", link):
        answer = client.post(path, data=nameless, content_type="multipart/form-data; boundary=b")
        assert answer.status_code == 400, path
    fields = form_fields(client.get(link).get_data(as_text=True))
    boundary, body = encode_multipart({**fields, "action": "save", "\\": "x"})
    answer = client.post(link, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert answer.status_code == 400
