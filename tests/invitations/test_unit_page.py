"""A unit's own page in a round: where it stands, its emails, and its actions (send or
resend, new link, new address), which come back to the page; the dashboard's list of
units has no forms of its own, one line per unit with a link here."""

import re

import pytest
from sqlalchemy import select

from survey_app.invitations.mailing import queue_invitations
from survey_app.models import AuditEntry, Invitation, Unit
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import CSRF_RE, PASSWORD, create, login


@pytest.fixture
def round_(runner, db):
    round_ = make_round(slug="kevat")
    for code, region in (("E1", "Itä-Suomi"), ("E2", "Itä-Suomi"), ("L1", "Lappi")):
        make_invitation(
            round_=round_, unit=make_unit(code=code, name=f"Yksikkö {code}", region=region)
        )
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    return round_


def text(page) -> str:
    return re.sub(r"\s+", " ", page.get_data(as_text=True))


def press(client, page_path, action_path, **data):
    csrf = CSRF_RE.search(client.get(page_path).get_data(as_text=True)).group(1)
    return client.post(action_path, data={"csrf_token": csrf, **data})


def test_a_unit_never_mailed_is_sent_its_invitation_then_resent(client, db, round_):
    login(client, "ita@example.fi", PASSWORD)
    page = text(client.get("/admin/rounds/kevat/units/E1"))
    assert "<h1>Yksikkö E1" in page and "ei lähetetty" in page
    assert ">Lähetä kutsu</button>" in page and "Lähetä kutsu uudelleen" not in page
    assert ">Tallenna ja lähetä</button>" in page
    assert "Tälle yksikölle ei ole tässä kartoituksessa jonossa" in page
    done = press(client, "/admin/rounds/kevat/units/E1", "/admin/rounds/kevat/units/E1/resend")
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/rounds/kevat/units/E1")
    page = text(client.get("/admin/rounds/kevat/units/E1"))
    assert "Yksikön E1 kutsu on jonossa." in page
    assert ">Lähetä kutsu uudelleen</button>" in page
    assert re.search(r'id="unit-messages".*?<a href="/admin/outbox/\d+">kutsu</a>', page)
    press(client, "/admin/rounds/kevat/units/E1", "/admin/rounds/kevat/units/E1/resend")
    assert "Yksikön E1 kutsu on uudelleen jonossa." in text(
        client.get("/admin/rounds/kevat/units/E1")
    )
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["send invitation", "resend invitation"]


def test_a_mailed_round_offers_resend_and_lists_the_mail(client, db, round_):
    queue_invitations(round_)
    db.session.commit()
    login(client, "ita@example.fi", PASSWORD)
    page = text(client.get("/admin/rounds/kevat/units/E2"))
    assert ">Lähetä kutsu uudelleen</button>" in page
    assert re.search(r'id="unit-messages".*?<a href="/admin/outbox/\d+">kutsu</a>', page)


def test_a_submitted_unit_gets_no_mail_buttons(client, db, round_):
    invitation = db.session.scalar(
        select(Invitation).join(Unit).where(Unit.code == "E2", Invitation.round_id == round_.id)
    )
    make_response(invitation, {"k1_1": "yes", "kehy_name": "E2"})
    db.session.commit()
    login(client, "ita@example.fi", PASSWORD)
    page = text(client.get("/admin/rounds/kevat/units/E2"))
    assert "Yksikkö on lähettänyt vastauksensa" in page
    assert 'id="resend-form"' not in page and 'id="reissue-form"' not in page
    assert 'id="email-form"' not in page  # corrected in the roster, which it links to
    assert 'href="/admin/units/E2/edit"' in page


def test_another_regions_unit_is_404(client, db, round_):
    login(client, "ita@example.fi", PASSWORD)
    assert client.get("/admin/rounds/kevat/units/L1").status_code == 404
    assert client.get("/admin/rounds/kevat/units/NOPE").status_code == 404
    assert client.get("/admin/rounds/nope/units/E1").status_code == 404


def test_the_dashboard_lists_units_one_line_each_linking_to_their_page(client, db, round_):
    login(client, "ita@example.fi", PASSWORD)
    page = text(client.get("/admin/rounds/kevat"))
    missing = page.split('id="dashboard-missing"')[1]
    assert missing.count("<form") == 1  # the reminders' form; no form per unit
    assert 'href="/admin/rounds/kevat/units/E1">Yksikkö E1</a>' in missing
    assert 'href="/admin/rounds/kevat/units/E2">Yksikkö E2</a>' in missing
    assert '/units/L1"' not in missing and "Yksikkö L1" not in missing
