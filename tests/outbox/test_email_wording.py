"""Emails a coordinator trusts: each says who sends it and whom to ask (the unit's
region's contact, configurable), in the unit's language; subjects that say what the
message is; a blank line after the greeting; typographic quotes; one form of address;
the invitation tells of the profile (prefilled only when it is) and the directory; a
receipt after a round was closed by hand promises no corrections."""

import pytest

from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import invoke

CONTACTS = """
organisation: {fi: Testin osaamiskeskukset, sv: Testets kompetenscentra, en: Test centres}
contact: {name: {fi: Yleinen, sv: Allmän, en: General}, email: yleinen@example.fi}
regions:
  Östra Finland:
    name: {fi: Itä-Suomen osaamiskeskus, sv: Östra Finlands kompetenscentrum, en: East}
    email: ita@example.fi
    phone: 017 123 4567
"""


@pytest.fixture
def contacts(app, tmp_path):
    path = tmp_path / "contacts.yaml"
    path.write_text(CONTACTS, encoding="utf-8")
    app.config["CONTACTS_FILE"] = str(path)


def send_all(runner):
    invoke(runner, "outbox", "work", "--once")


def test_the_invitation_says_who_sends_it_and_whom_to_ask(runner, db, smtp, contacts):
    round_ = make_round(slug="kevat")
    round_.title = "Kevät 2027"
    east = make_unit(region="Itä-Suomi", contact_email="ita-yksikko@example.fi")
    north = make_unit(region="Pohjois-Suomi", contact_email="pohjoinen@example.fi")
    swedish = make_unit(region="Itä-Suomi", language="sv", contact_email="sv@example.fi")
    for unit in (east, north, swedish):
        make_invitation(round_=round_, unit=unit)
    invoke(runner, "invitations", "send", "kevat")
    send_all(runner)

    mail = smtp.to("ita-yksikko@example.fi")[0]
    assert mail.message["Subject"] == "Kutsu kartoitukseen: Kevät 2027"
    lines = mail.text.splitlines()
    assert lines[0].startswith("Hei ") and lines[1] == ""  # a blank line after the greeting
    assert "kartoitukseen ”Kevät 2027”" in mail.text and '"' not in mail.text
    assert "Lähettäjä: Testin osaamiskeskukset." in mail.text
    assert (
        "Kysyttävää kartoituksesta: Itä-Suomen osaamiskeskus, ita@example.fi, 017 123 4567"
        in mail.text
    )
    assert "ita@example.fi" in mail.html and "Testin osaamiskeskukset" in mail.html
    assert "julkaistaan kaikkien kehittämisyksiköiden koosteessa" in mail.text
    assert "edellisen kartoituksen" not in mail.text  # nothing earlier to fill in from
    assert "Yksikkösi" in mail.text and "nne" not in mail.text.split("--")[0]

    other = smtp.to("pohjoinen@example.fi")[0]
    assert "Kysyttävää kartoituksesta: Yleinen, yleinen@example.fi" in other.text
    sv = smtp.to("sv@example.fi")[0]
    assert sv.message["Subject"] == "Inbjudan till kartläggningen: Kevät 2027"
    assert "Avsändare: Testets kompetenscentra." in sv.text
    assert "Östra Finlands kompetenscentrum" in sv.text and "Din enhet" in sv.text


def test_the_invitation_tells_a_unit_that_answered_before_of_its_prefilled_profile(
    runner, db, smtp
):
    unit = make_unit(contact_email="aiempi@example.fi")
    earlier = make_round(slug="syksy")
    invitation, _link = make_invitation(round_=earlier, unit=unit)
    make_response(invitation, {"kehy_mission": "Tehtävä"})
    earlier.state = "closed"
    later = make_round(slug="kevat")
    later.deadline = earlier.deadline.replace(year=earlier.deadline.year + 1)
    make_invitation(round_=later, unit=unit)
    make_invitation(round_=later, unit=make_unit(contact_email="uusi@example.fi"))
    invoke(runner, "invitations", "send", "kevat")
    send_all(runner)  # both in one batch: what each says is its own

    def invitation_to(address):
        return next(m for m in smtp.to(address) if m.message["Subject"].startswith("Kutsu"))

    prefilled = "yksikkösi edellisen kartoituksen vastaukset"
    assert prefilled in invitation_to("aiempi@example.fi").text
    assert prefilled not in invitation_to("uusi@example.fi").text


def test_a_receipt_after_a_close_by_hand_promises_no_corrections(runner, db, smtp):
    round_ = make_round(slug="kevat")
    invitation, _link = make_invitation(round_=round_, unit=make_unit(contact_email="k@e.fi"))
    make_response(invitation, {"k1_1": "yes"})  # its receipt is queued, not yet sent
    invoke(runner, "rounds", "close", "kevat")
    send_all(runner)
    receipt = smtp.to("k@e.fi")[0]
    assert receipt.message["Subject"] == "Vastauksesi kartoitukseen: Testikartoitus"
    assert "Vastauksesi" in receipt.text
    assert "Voit korjata" not in receipt.text and "/r/" not in receipt.text
    assert "Kartoitus on suljettu, joten vastauksia ei voi enää muuttaa." in receipt.text
    assert "/r/" not in receipt.html


def test_a_receipt_while_open_offers_corrections(runner, db, smtp):
    round_ = make_round(slug="kevat")
    invitation, _link = make_invitation(round_=round_, unit=make_unit(contact_email="k@e.fi"))
    make_response(invitation, {"k1_1": "yes"})
    send_all(runner)
    receipt = smtp.to("k@e.fi")[0]
    assert "Voit korjata" in receipt.text and "/r/" in receipt.text
    assert "Lähettäjä: Sosiaalialan osaamiskeskukset." in receipt.text  # the shipped file


def test_the_thank_you_page_says_a_copy_is_on_its_way(client, db):
    invitation, link = make_invitation(unit=make_unit(contact_email="kiitos@example.fi"))
    from tests.helpers import form_fields

    page = client.get(link).get_data(as_text=True)
    done = client.post(link, data={**form_fields(page), "action": "submit"}, follow_redirects=True)
    assert "kiitos@example.fi" in done.get_data(as_text=True)
    assert "Kopio vastauksistasi on tulossa sähköpostiin" in done.get_data(as_text=True)
