"""The respondent page's language: the unit's own, another by ?lang=, a switch in the
middle of the form that keeps what was typed (and saves nothing when nothing changed),
and the round's title in the page's language."""

from sqlalchemy import select

from survey_app.models import Response
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import form_fields


def fields_of(client, link):
    return form_fields(client.get(link).get_data(as_text=True))


def test_swedish_unit_gets_a_swedish_page_and_can_switch(client, db):
    _, link = make_invitation(unit=make_unit(language="sv"))
    html = client.get(link).get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Verksamhetsstrukturen är nätverksbaserad" in html
    assert "Spara utkast" in html
    assert '<h1 lang="fi">Testikartoitus</h1>' in html  # no Swedish title given
    english = client.get(link + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Save draft" in english


def test_switching_language_keeps_what_was_typed(client, db):
    _, link = make_invitation()
    switched = client.post(
        link, data={**fields_of(client, link), "switch_language": "sv", "kehy_other": "kirjoitettu"}
    )
    assert switched.status_code == 303
    assert "lang=sv" in switched.headers["Location"]
    page = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "kirjoitettu" in page


def test_switching_language_without_changes_saves_nothing(client, db):
    _, link = make_invitation()
    switched = client.post(link, data={**fields_of(client, link), "switch_language": "en"})
    assert switched.status_code == 303
    assert db.session.scalar(select(Response)) is None


def test_a_translated_round_title_is_shown_in_the_page_language(client, db):
    round_ = make_round()
    round_.title_translations = {"sv": "Testkartläggning"}
    db.session.commit()
    _, link = make_invitation(round_=round_, unit=make_unit(language="sv"))
    html = client.get(link).get_data(as_text=True)
    assert "<h1>Testkartläggning</h1>" in html
