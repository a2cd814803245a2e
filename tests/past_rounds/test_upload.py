"""Importing a past round in the browser (national admins): the form, a preview of its
units and answers per question, nothing written before the confirmation; errors by
row with a 422; a regional admin is refused; the confirmation is audited."""

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey_app.models import AuditEntry, Invitation, Round
from tests.factories import make_unit
from tests.helpers import CSRF_RE, create, login

TOKEN_RE = re.compile(r'name="preview" value="([^"]+)"')
FILE = "code,name,k1_1,k1_2\nA1,,Kyllä,planned\nA2,Toinen nimi silloin,no,\n".encode()


@pytest.fixture
def admins(db, runner):
    make_unit(code="A1", name="Ensimmäinen")
    make_unit(code="A2", name="Toinen")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")


def send(client, data=FILE, name="joulu-07.csv", **fields):
    html = client.get("/admin/rounds/import").get_data(as_text=True)
    form = {
        "csrf_token": CSRF_RE.search(html).group(1),
        "title": "Kartoitus joulukuu 2007",
        "title_sv": "Kartläggning december 2007",
        "title_en": "",
        "slug": "joulu-07",
        "closed_on": "2007-12-14",
        "answers": FileStorage(io.BytesIO(data), filename=name),
        **fields,
    }
    boundary, body = encode_multipart(form)
    return client.post(
        "/admin/rounds/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def confirm(client, preview):
    html = preview.get_data(as_text=True)
    return client.post(
        "/admin/rounds/import/confirm",
        data={"csrf_token": CSRF_RE.search(html).group(1), "preview": TOKEN_RE.search(html)[1]},
    )


def rounds(db):
    return db.session.scalar(select(func.count()).select_from(Round))


def test_preview_then_confirm_creates_the_closed_round(client, db, admins):
    login(client, "paa@example.fi")
    assert "/admin/rounds/import" in client.get("/admin/").get_data(as_text=True)
    preview = send(client)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Toinen nimi silloin" in page and "Ensimmäinen" in page
    answered = re.search(r'id="preview-answered".*?</table>', page, re.S).group(0)
    assert re.search(r"<td>k1_1</td>.*?<td>2</td>", answered, re.S)
    assert re.search(r"<td>k1_2</td>.*?<td>1</td>", answered, re.S)
    assert rounds(db) == 0  # the preview wrote nothing

    done = confirm(client, preview)
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/rounds/joulu-07")
    round_ = db.session.scalar(select(Round).filter_by(slug="joulu-07"))
    assert round_.effective_state() == "closed" and round_.imported_from == "joulu-07.csv"
    assert round_.title_translations == {"sv": "Kartläggning december 2007"}
    names = db.session.scalars(
        select(Invitation.unit_name)
        .where(Invitation.round_id == round_.id)
        .order_by(Invitation.unit_name)
    )
    assert list(names) == ["Ensimmäinen", "Toinen nimi silloin"]
    entry = db.session.scalar(select(AuditEntry).filter_by(action="import past round"))
    assert entry.admin_email == "paa@example.fi"
    assert entry.after["responses"] == 2
    dashboard = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "joulu-07.csv" in dashboard
    # A second confirmation of the same preview creates nothing more.
    again = confirm(client, preview)
    assert again.status_code == 409
    assert rounds(db) == 1


def test_bad_rows_are_listed_and_nothing_can_be_confirmed(client, db, admins):
    login(client, "paa@example.fi")
    bad = "code,k1_1\nA1,ehkä\nZZ,yes\n".encode()
    response = send(client, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ehkä" in page and "ZZ" in page
    assert 'id="confirm-form"' not in page
    assert rounds(db) == 0


def test_form_errors_and_unreadable_files_are_4xx_in_the_admins_language(client, db, admins):
    login(client, "paa@example.fi")
    response = send(client, slug="Iso Kirjain", closed_on="2999-01-01")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "16.00" in page  # the closing day's message, in Finnish
    assert "pieniä kirjaimia" in page or "kirjaimia" in page
    response = send(client, b"\xff\xfe rubbish", name="joulu.csv")
    assert response.status_code == 400
    response = send(client, b"code,k9_9\nA1,yes\n", name="joulu.csv")
    assert response.status_code == 400
    assert "k9_9" in response.get_data(as_text=True)
    response = send(client, b"whatever", name="joulu.pdf")
    assert response.status_code == 415
    assert rounds(db) == 0


def test_a_regional_admin_cannot_import(client, db, admins):
    login(client, "ita@example.fi")
    assert client.get("/admin/rounds/import").status_code == 403
    assert "/admin/rounds/import" not in client.get("/admin/").get_data(as_text=True)


def test_a_tampered_or_foreign_preview_is_refused(client, db, admins):
    login(client, "paa@example.fi")
    preview = send(client)
    html = preview.get_data(as_text=True)
    response = client.post(
        "/admin/rounds/import/confirm",
        data={
            "csrf_token": CSRF_RE.search(html).group(1),
            "preview": "x" + TOKEN_RE.search(html)[1],
        },
    )
    assert response.status_code == 400
    assert rounds(db) == 0
