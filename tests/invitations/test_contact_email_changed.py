"""A unit's new address gets its pending invitation, whichever page changed it: the roster
page, a roster upload or the round dashboard (one rule, mailing.contact_email_changed).
Without it the message queued to the old address fails as superseded and "send
invitations" skips the unit, so the new contact never gets the link.

The worker really sends (to .eml files, as in local use); a unit that submitted, or
whose round takes no answers, gets nothing."""

import re
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from survey_app.invitations.mailing import contact_email_changed
from survey_app.models import OutboxMessage, Unit
from survey_app.outbox.worker import Worker
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import CSRF_RE, PASSWORD, create, form_fields, invoke, login
from tests.units.helpers import HEADER, confirm, upload

VERSION_RE = re.compile(r'name="version"[^>]*value="([^"]*)"')
LINK_RE = re.compile(r"http://localhost/r/[A-Za-z0-9_-]{43}")
VALUES = {
    "field": "Lastensuojelu",
    "status": "active",
    "region": "Itä-Suomi",
    "municipality": "Kuopio",
    "contact_name": "Eeva",
    "language": "fi",
}


@pytest.fixture
def invited(runner, client, db):
    """E1 and E2 invited to the open round "kevat", the invitations queued to their old
    addresses (not sent yet); E2 then submitted."""
    round_ = make_round(slug="kevat")
    links = {}
    for code in ("E1", "E2"):
        unit = make_unit(code=code, name=f"Yksikkö {code}", contact_email=f"{code}@vanha.fi")
        for name, value in VALUES.items():
            setattr(unit, name, value)
        links[code] = make_invitation(round_=round_, unit=unit)[1]
    invoke(runner, "invitations", "send", "kevat")
    fields = form_fields(client.get(links["E2"]).get_data(as_text=True))
    client.post(links["E2"], data={**fields, "action": "submit", "k1_1": "yes"})
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    return round_


@pytest.fixture
def deliver(app, monkeypatch, tmp_path):
    """Run the worker once; the messages written, as {recipient: [plain texts]}."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))

    def run() -> dict[str, list[str]]:
        Worker().run_once()
        mails = {}
        for path in sorted((tmp_path / "mail").glob("*.eml")):
            parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            text = parsed.get_body(preferencelist=("plain",)).get_content()
            mails.setdefault(str(parsed["To"]), []).append(text)
            path.unlink()
        return mails

    return run


def invitation_messages(db, code) -> list[tuple[str, str, str | None]]:
    db.session.expire_all()
    return [
        (message.to_address, message.status, message.last_error)
        for message in db.session.scalars(
            select(OutboxMessage)
            .join(OutboxMessage.invitation)
            .join(Unit)
            .where(Unit.code == code, OutboxMessage.kind == "invitation")
            .order_by(OutboxMessage.id)
        )
    ]


def edit_address(client, code, email):
    html = client.get(f"/admin/units/{code}/edit").get_data(as_text=True)
    data = {
        "csrf_token": CSRF_RE.search(html).group(1),
        "version": VERSION_RE.search(html).group(1),
        "name": f"Yksikkö {code}",
        "contact_email": email,
        **VALUES,
    }
    return client.post(f"/admin/units/{code}/edit", data=data)


def roster_line(code, email):
    values = {"code": code, "name": f"Yksikkö {code}", "contact_email": email, **VALUES}
    return ",".join(values[name] for name in HEADER.split(","))


def test_a_new_address_on_the_roster_page_gets_the_queued_invitation(
    runner, client, db, invited, deliver
):
    assert edit_address(client, "E1", "uusi@e1.fi").status_code == 303
    mails = deliver()
    (text,) = mails["uusi@e1.fi"]
    assert LINK_RE.search(text)
    assert "E1@vanha.fi" not in mails
    assert invitation_messages(db, "E1") == [
        ("E1@vanha.fi", "failed", "superseded: the unit's contact address changed"),
        ("uusi@e1.fi", "sent", None),
    ]
    # "Send invitations" has nothing left to do: the unit was mailed, at its new address.
    assert "Queued 0 invitation" in invoke(runner, "invitations", "send", "kevat")


def test_a_unit_that_submitted_gets_nothing(client, db, invited, deliver):
    assert edit_address(client, "E2", "uusi@e2.fi").status_code == 303
    assert "uusi@e2.fi" not in deliver()
    assert [to for to, _status, _error in invitation_messages(db, "E2")] == ["E2@vanha.fi"]


def test_an_uploaded_roster_with_a_new_address_gets_the_invitation(client, db, invited, deliver):
    file = "\n".join(
        [HEADER, roster_line("E1", "tiedosto@e1.fi"), roster_line("E2", "tiedosto@e2.fi")]
    )
    preview = upload(client, (file + "\n").encode())
    assert preview.status_code == 200
    assert confirm(client, preview).status_code == 303
    mails = deliver()
    (text,) = mails["tiedosto@e1.fi"]
    assert LINK_RE.search(text)
    assert "tiedosto@e2.fi" not in mails  # E2 submitted
    assert invitation_messages(db, "E1")[-1] == ("tiedosto@e1.fi", "sent", None)
    assert len(invitation_messages(db, "E2")) == 1


def test_an_address_changed_and_changed_back_is_mailed_once(client, db, invited, deliver):
    assert edit_address(client, "E1", "valiaikainen@e1.fi").status_code == 303
    assert edit_address(client, "E1", "E1@vanha.fi").status_code == 303
    mails = deliver()
    assert len(mails["E1@vanha.fi"]) == 1 and "valiaikainen@e1.fi" not in mails
    statuses = [(to, status) for to, status, _error in invitation_messages(db, "E1")]
    assert statuses == [("E1@vanha.fi", "sent"), ("valiaikainen@e1.fi", "failed")]


def test_the_dashboard_mails_every_open_round_of_the_unit(runner, client, db, invited, deliver):
    autumn = make_round(slug="syksy")
    make_invitation(round_=autumn, unit=db.session.scalar(select(Unit).filter_by(code="E1")))
    invoke(runner, "invitations", "send", "syksy")
    closed = make_round(slug="vanha", state="closed")
    make_invitation(round_=closed, unit=db.session.scalar(select(Unit).filter_by(code="E1")))
    db.session.commit()
    html = client.get("/admin/rounds/kevat").get_data(as_text=True)
    done = client.post(
        "/admin/rounds/kevat/units/E1/email",
        data={"csrf_token": CSRF_RE.search(html).group(1), "email": "kojelauta@e1.fi"},
    )
    assert done.status_code == 303
    deliver()
    db.session.expire_all()
    sent = db.session.scalars(
        select(OutboxMessage).filter_by(to_address="kojelauta@e1.fi", status="sent")
    ).all()
    assert sorted(message.invitation.round.slug for message in sent) == ["kevat", "syksy"]


def test_the_rule_skips_units_that_cannot_answer(app, db, invited):
    """Directly: a closed round's invitation, a never mailed one, a deactivated unit."""
    unit = make_unit(code="K1")
    never_mailed, _link = make_invitation(round_=make_round(slug="uusi"), unit=unit)
    closed, _link = make_invitation(round_=make_round(slug="ohi", state="closed"), unit=unit)
    closed.mailed_at = never_mailed.round.opened_at
    unit.contact_email = "k1@uusi.fi"
    assert contact_email_changed(unit) == []
    e1 = db.session.scalar(select(Unit).filter_by(code="E1"))
    e1.contact_email = "uusi@e1.fi"
    e1.deactivated_at = e1.created_at
    assert contact_email_changed(e1) == []
    e1.deactivated_at = None
    assert [invitation.round.slug for invitation in contact_email_changed(e1)] == ["kevat"]
