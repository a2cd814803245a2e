"""The words a reader checked (issue: both official languages done right): the Swedish
and Finnish terms of the report, the dashboard, the outbox, the menu and the form; the
English percent; the audit log in the page's language; the form says it was prefilled
only when it was."""

import re

import lxml.html
import pytest
from sqlalchemy import select

from survey_app.models import Admin, AuditEntry
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, form_fields, login


def words(html: str) -> str:
    """The page's text, whitespace and no-break spaces as single spaces."""
    return " ".join(lxml.html.fromstring(html).text_content().replace("\u00a0", " ").split())


@pytest.fixture
def two_rounds(db, runner):
    """A closed round and an open one after it: k1_1 yes 2 of 4 (50 %) then 3 of 5
    (60 %), so the change is +10 points; one preparing unit."""
    earlier = make_round(slug="syksy")
    current = make_round(slug="kevat")
    for round_, answers in ((earlier, "yynn"), (current, "yyynn")):
        for number, value in enumerate(answers):
            unit = make_unit(status="preparing" if number == 0 else "active")
            invitation, _link = make_invitation(round_=round_, unit=unit)
            make_response(invitation, {"k1_1": "yes" if value == "y" else "no"})
    earlier.state = "closed"
    earlier.deadline = current.deadline.replace(year=current.deadline.year - 1)
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")


def test_the_swedish_report(client, two_rounds):
    login(client, "paa@example.fi")
    text = words(client.get("/admin/rounds/kevat/report?lang=sv").get_data(as_text=True))
    assert "Sammanlagt 5 utvecklingsenheter, varav 4 ordinarie (+ 1 förberedande)." in text
    assert "Hur kriterierna uppfylls 1. (4)" in text
    assert "Förändring: +10 procentenheter" in text
    assert (
        "Förändringen av andelen ”ja” i procentenheter jämfört med föregående kartläggning" in text
    )
    assert "per kompetenscentrumområde" in text
    assert "Kriterium 1: andelen ”ja” per verksamhetsområde" in text
    assert "Ladda ned" in text
    for wrong in ("egentlig", "Kriteriernas uppfyllelse", "%-enh", "Sista dag ", "Ladda ner"):
        assert wrong not in text, wrong


def test_the_finnish_report_and_the_english_percent(client, two_rounds):
    login(client, "paa@example.fi")
    text = words(client.get("/admin/rounds/kevat/report?lang=fi").get_data(as_text=True))
    assert "60 % vastanneista" in text
    assert "Kriteeri 1: ”kyllä”-vastausten osuus toimialoittain" in text
    assert "Toiminnan vaihe" in text and "Asema" not in text
    english = words(client.get("/admin/rounds/kevat/report?lang=en").get_data(as_text=True))
    assert "60% of respondents" in english and "60 % of" not in english


def test_the_finnish_menu_dashboard_and_outbox(client, two_rounds):
    login(client, "paa@example.fi")
    units = client.get("/admin/units?lang=fi").get_data(as_text=True)
    assert "<h1>Yksiköt</h1>" in units and "Yksiköitä" not in units
    dashboard = client.get("/admin/rounds/kevat?lang=fi").get_data(as_text=True)
    assert (
        '<th scope="col">Kutsutut</th><th scope="col">Avanneet</th>'
        '<th scope="col">Vastanneet</th>' in dashboard
    )
    assert re.search(r"Päivitetty klo \d{1,2}\.\d{2}", words(dashboard))
    outbox = words(client.get("/admin/outbox?lang=fi").get_data(as_text=True))
    assert re.search(r"jonossa \d+, lähetetty 0, palautunut 0, epäonnistunut 0", outbox)
    swedish = words(client.get("/admin/outbox?lang=sv").get_data(as_text=True))
    assert "skickade 0, studsade 0, misslyckade 0" in swedish
    manage = words(client.get("/admin/rounds/kevat/manage?lang=fi").get_data(as_text=True))
    assert "Avattu" in manage


def test_the_form_counts_in_finnish_and_says_prefilled_only_when_it_was(client, db):
    unit = make_unit()
    first = make_round(slug="syksy")
    invitation, link = make_invitation(round_=first, unit=unit)
    page = client.get(link + "?lang=fi").get_data(as_text=True)
    assert re.search(r"Olet vastannut \d+ kysymykseen \d+:sta", page)
    assert "edellisen kartoituksen" not in page  # nothing earlier to fill in from
    client.post(link, data={**form_fields(page), "action": "submit", "kehy_mission": "Tehtävä"})
    _, next_link = make_invitation(round_=make_round(slug="kevat"), unit=unit)
    again = client.get(next_link + "?lang=fi").get_data(as_text=True)
    assert "Tehtävä" in again and "yksikkösi edellisen kartoituksen vastaukset" in again


def test_the_audit_log_in_the_pages_language(client, db, runner):
    make_unit(region="Itä-Suomi")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    admin = db.session.scalar(select(Admin).filter_by(email="paa@example.fi"))
    AuditEntry.record(
        admin,
        "edit unit",
        "unit A1",
        "Itä-Suomi",
        before={"field": "Lastensuojelu", "status": "active", "deactivated": True},
        after={"field": "Vammaispalvelut", "status": "preparing", "deactivated": False},
    )
    db.session.commit()
    login(client, "paa@example.fi")
    finnish = words(client.get("/admin/audit?lang=fi").get_data(as_text=True))
    assert "yksikköä muokattu" in finnish and "yksikkö A1" in finnish
    assert "toimiala: Lastensuojelu" in finnish and "toiminnan vaihe: valmisteleva" in finnish
    assert "deactivated: True" not in finnish and "poistettu käytöstä: kyllä" in finnish
    AuditEntry.record(
        admin,
        "retry mail",
        "outbox message 7: invitation to a@example.fi",
        "Itä-Suomi",
        before={"status": "failed"},
        after={"status": "queued"},
    )
    AuditEntry.record(admin, "resend invitation", "round kevat: unit A1", "Itä-Suomi")
    db.session.commit()
    finnish = words(client.get("/admin/audit?lang=fi").get_data(as_text=True))
    assert "kartoitus kevat: yksikkö A1" in finnish and "kutsu lähetetty uudelleen" in finnish
    assert "lähtevän postin viesti 7" in finnish and "tila: epäonnistui" in finnish
    swedish = words(client.get("/admin/audit?lang=sv").get_data(as_text=True))
    assert "enhet ändrad" in swedish and "Objekt" in swedish and "Mål" not in swedish
    assert "verksamhetsområde: Barnskydd" in swedish and "verksamhetsfas: ordinarie" in swedish


def test_the_respondents_footer_is_not_on_admin_pages_or_the_report_pdf(client, two_rounds):
    from tests.helpers import pdf_text

    footer = "Kysyttävää kartoituksesta?"
    _invitation, link = make_invitation(round_=make_round(slug="auki"))
    assert footer in client.get(link + "?lang=fi").get_data(as_text=True)
    login(client, "paa@example.fi")
    for path in ("/admin/", "/admin/units", "/admin/rounds/kevat", "/admin/rounds/kevat/report"):
        assert footer not in client.get(path + "?lang=fi").get_data(as_text=True), path
    assert footer not in pdf_text(client.get("/admin/rounds/kevat/report.pdf?lang=fi"))
