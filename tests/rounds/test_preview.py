"""The admin's preview of the respondent form: each language, no unit's data, and
nothing written to the database whatever is posted."""

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db as _db
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import CSRF_RE, create, login

UNIT_NAME = "Salainen yksikkö"

QUESTIONNAIRE_TITLES = {
    "fi": ("KEHY-tiedot", '<html lang="fi">'),
    "sv": ("KEHY-uppgifter", '<html lang="sv">'),
    "en": ("KEHY profile", '<html lang="en">'),
}


@pytest.fixture
def round_(runner, db):
    round_ = make_round(slug="kevat")
    make_invitation(round_=round_, unit=make_unit(name=UNIT_NAME, region="Lappi"))
    make_unit(region="Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    return round_


def row_counts(db) -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_preview_renders_in_each_language_without_unit_data(client, db, round_, language):
    login(client, "paa@example.fi")
    page = client.get(f"/admin/rounds/kevat/preview?language={language}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    title, html_lang = QUESTIONNAIRE_TITLES[language]
    assert html_lang in html and title in html
    assert 'id="preview-banner"' in html
    assert 'name="k1_1"' in html and 'name="kehy_name"' in html
    assert UNIT_NAME not in html
    assert 'action="/admin/rounds/kevat/preview?language=' + language + '"' in html
    assert "/r/" not in html  # no respondent link or token anywhere
    assert page.headers["Cache-Control"] == "no-store"


def test_posting_the_preview_checks_the_answers_and_stores_nothing(client, db, round_):
    login(client, "ita@example.fi")  # a regional admin may preview too
    page = client.get("/admin/rounds/kevat/preview?language=en").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    before = row_counts(db)
    target = "/admin/rounds/kevat/preview?language=en"
    missing = client.post(target, data={"csrf_token": token, "action": "submit", "k1_1": "yes"})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert "Answer this question before submitting." in html
    assert 'value="yes" checked' in html  # what was typed stays on the page
    answers = {"csrf_token": token, "k1_1": "yes", "kehy_name": "Testi"}
    for action in ("save", "submit"):
        taken = client.post(target, data={**answers, "action": action})
        assert taken.status_code == 200
        assert "Nothing was saved." in taken.get_data(as_text=True)
    too_long = client.post(target, data={**answers, "action": "save", "kehy_name": "x" * 400})
    assert too_long.status_code == 422
    switch = client.post(target, data={**answers, "switch_language": "sv"})
    assert switch.status_code == 303
    assert switch.headers["Location"].endswith("/admin/rounds/kevat/preview?language=sv")
    assert client.post(target, data={**answers, "action": "delete"}).status_code == 400
    assert row_counts(db) == before


def test_the_preview_needs_a_login_a_round_and_the_csrf_token(client, db, round_):
    assert client.get("/admin/rounds/kevat/preview").status_code == 302
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/nothing/preview").status_code == 404
    refused = client.post("/admin/rounds/kevat/preview", data={"action": "save"})
    assert refused.status_code == 400
