"""The outbox page: messages by state with the server's answer, the retry button (audited),
the region rule (404 for another region's message), and the mail captured in local use,
readable only without a mail server and never for a password reset."""

import re

import pytest
from sqlalchemy import select

from survey_app.auth.password_reset import request_reset
from survey_app.extensions import db as _db
from survey_app.models import AuditEntry, OutboxMessage, Unit
from survey_app.models.types import utcnow
from survey_app.outbox.queue import queue_message
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import CSRF_RE, PASSWORD, create, invoke, login, make_app

LINK_RE = re.compile(r"http://localhost/r/[A-Za-z0-9_-]{43}")


@pytest.fixture
def app(database_url, smtp):
    """Mail goes to the `smtp` sink with the default retry delays (this module's own app,
    not the outbox conftest's, which retries within milliseconds)."""
    app = make_app(
        database_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_DEFAULT_SENDER="kartoitus@kehy.example.fi",
    )
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def mail(runner, db, smtp):
    """E1 and E2 (Itä-Suomi) mailed, L1 (Lappi) refused by the server with 550; E2's
    mail bounced later; a reminder to E1 still waits."""
    round_ = make_round(slug="kevat")
    units = {
        code: make_unit(code=code, name=f"Yksikkö {code}", region=region)
        for code, region in (("E1", "Itä-Suomi"), ("E2", "Itä-Suomi"), ("L1", "Lappi"))
    }
    invitations = {
        code: make_invitation(round_=round_, unit=unit)[0] for code, unit in units.items()
    }
    smtp.handler.refuse[units["L1"].contact_email] = "550 5.1.1 No such user here"
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "outbox", "work", "--once")
    bounced = message_of(db, "E2")
    bounced.bounced_at, bounced.last_error = utcnow(), "5.1.1 mailbox unknown"
    queue_message(invitations["E1"], "reminder")
    db.session.commit()
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")
    return units


def message_of(db, code, kind="invitation") -> OutboxMessage:
    return db.session.scalar(
        select(OutboxMessage)
        .join(OutboxMessage.invitation)
        .join(Unit)
        .where(Unit.code == code, OutboxMessage.kind == kind)
    )


def text(client, url):
    response = client.get(url)
    return response.status_code, re.sub(r"\s+", " ", response.get_data(as_text=True))


def count(html, state):
    return int(re.search(rf'id="count-{state}">[^<]*</a> <strong>(\d+)</strong>', html)[1])


def post(client, path, **data):
    csrf = CSRF_RE.search(client.get("/admin/outbox").get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": csrf, **data})


def test_states_and_the_servers_answer(client, db, mail):
    login(client, "paa@example.fi", PASSWORD)
    status, html = text(client, "/admin/outbox")
    assert status == 200
    assert [count(html, state) for state in ("queued", "sent", "bounced", "failed")] == [1, 1, 1, 1]
    assert "550 5.1.1 No such user here" in html and "5.1.1 mailbox unknown" in html
    for unit in mail.values():
        assert unit.contact_email in html
    _, failed = text(client, "/admin/outbox?state=failed")
    assert mail["L1"].contact_email in failed and mail["E1"].contact_email not in failed
    _, reminders = text(client, "/admin/outbox?kind=reminder&round=kevat")
    assert mail["E1"].contact_email in reminders and mail["L1"].contact_email not in reminders
    # Unknown filter values are no filter, never an error.
    assert text(client, "/admin/outbox?state=nope&kind=x&page=-3")[0] == 200
    assert text(client, "/admin/outbox?round=nope")[0] == 200


def test_retry_queues_a_failed_message_again_and_audits(client, db, smtp, mail):
    login(client, "paa@example.fi", PASSWORD)
    failed = message_of(db, "L1")
    assert failed.status == "failed" and failed.attempts == 1
    assert post(client, f"/admin/outbox/{failed.id}/retry").status_code == 303
    db.session.expire_all()
    assert (failed.status, failed.attempts) == ("queued", 0)
    entry = db.session.scalar(select(AuditEntry).filter_by(action="retry mail"))
    assert entry.region == "Lappi"
    assert entry.before["status"] == "failed" and "550" in entry.before["answer"]
    assert entry.after == {"status": "queued"}
    # A sent message is not queued again: a clear refusal, nothing changes.
    sent = message_of(db, "E1")
    client.get("/admin/outbox?lang=en")  # the refusal is flashed in the page's language
    post(client, f"/admin/outbox/{sent.id}/retry")
    _, html = text(client, "/admin/outbox")
    assert "Only a failed message can be queued again." in html
    db.session.expire_all()
    assert sent.status == "sent"
    assert post(client, "/admin/outbox/999999/retry").status_code == 404


def test_retry_all_failed(client, db, mail):
    login(client, "paa@example.fi", PASSWORD)
    assert post(client, "/admin/outbox/retry", kind="invitation").status_code == 303
    db.session.expire_all()
    assert message_of(db, "L1").status == "queued"
    entry = db.session.scalar(select(AuditEntry).filter_by(action="retry mail"))
    assert entry.after == {"queued": 1}


def test_a_regional_admin_sees_and_retries_only_its_region(client, db, mail):
    foreign = message_of(db, "L1")
    login(client, "ita@example.fi", PASSWORD)
    _, html = text(client, "/admin/outbox")
    assert mail["L1"].contact_email not in html and "No such user" not in html
    assert mail["E1"].contact_email in html
    assert count(html, "failed") == 0
    assert client.get(f"/admin/outbox/{foreign.id}").status_code == 404
    assert client.get(f"/admin/outbox/{message_of(db, 'E1').id}").status_code == 200
    assert post(client, f"/admin/outbox/{foreign.id}/retry").status_code == 404
    post(client, "/admin/outbox/retry")  # "all failed": none of them is its region's
    db.session.expire_all()
    assert foreign.status == "failed"


def test_password_resets_are_for_national_admins_and_never_readable(
    app, runner, client, db, mail, tmp_path
):
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    request_reset("ita@example.fi", "fi")
    db.session.commit()
    invoke(runner, "outbox", "work", "--once")
    reset = db.session.scalar(select(OutboxMessage).filter_by(kind="password_reset"))
    assert reset.status == "sent"
    written = [eml.read_text(encoding="utf-8") for eml in (tmp_path / "mail").glob("*.eml")]
    assert any("/admin/password/reset/" in eml for eml in written)  # it was written
    login(client, "ita@example.fi", PASSWORD)
    assert "ita@example.fi" not in text(client, "/admin/outbox")[1].split("</header>")[1]
    assert client.get(f"/admin/outbox/{reset.id}").status_code == 404
    client.post("/admin/logout", data={"csrf_token": CSRF_RE.search(text(client, "/admin/")[1])[1]})
    login(client, "paa@example.fi", PASSWORD)
    assert "ita@example.fi" in text(client, "/admin/outbox?kind=password_reset")[1]
    status, html = text(client, f"/admin/outbox/{reset.id}")
    assert status == 200
    assert "/admin/password/reset/" not in html and 'id="captured-text"' not in html


def test_captured_mail_is_readable_only_without_a_mail_server(app, runner, client, db, tmp_path):
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    round_ = make_round(slug="kevat")
    east, _ = make_invitation(round_=round_, unit=make_unit(name="<b>Itä</b> & co"))
    north, _ = make_invitation(round_=round_, unit=make_unit(region="Lappi"))
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "outbox", "work", "--once")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    east_message = db.session.scalar(select(OutboxMessage).filter_by(invitation_id=east.id))
    north_message = db.session.scalar(select(OutboxMessage).filter_by(invitation_id=north.id))
    login(client, "ita@example.fi", PASSWORD)
    status, html = text(client, f"/admin/outbox/{east_message.id}")
    assert status == 200
    captured = re.search(r'<pre class="mail-text" id="captured-text">(.*?)</pre>', html)[1]
    assert LINK_RE.search(captured)  # the point of local use: follow the link
    assert "&lt;b&gt;Itä&lt;/b&gt; &amp; co" in captured and "<b>" not in captured
    assert "Subject" in html and east_message.message_id.strip("<>") in html
    assert client.get(f"/admin/outbox/{north_message.id}").status_code == 404
    app.config["MAIL_SERVER"] = "127.0.0.1"  # a real server: nothing is read from files
    status, html = text(client, f"/admin/outbox/{east_message.id}")
    assert status == 200
    assert 'id="captured-text"' not in html and not LINK_RE.search(html)


@pytest.fixture
def captured(app, runner, db, tmp_path):
    """Local use: no mail server, an invitation to an Itä-Suomi unit written to a file."""
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    invitation, _link = make_invitation(round_=make_round(slug="kevat"), unit=make_unit())
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "outbox", "work", "--once")
    create(runner, "paa@example.fi", "--role", "national")
    message = db.session.scalar(select(OutboxMessage).filter_by(invitation_id=invitation.id))
    assert message.status == "sent" and list((tmp_path / "mail").glob("*.eml"))
    return message


@pytest.mark.parametrize("shown", [True, False])
def test_reading_captured_mail_follows_mail_capture_view(app, client, captured, shown):
    app.config["MAIL_CAPTURE_VIEW"] = shown
    login(client, "paa@example.fi", PASSWORD)
    status, html = text(client, f"/admin/outbox/{captured.id}?lang=en")
    assert status == 200
    assert ('id="captured-text"' in html) is shown
    assert bool(LINK_RE.search(html)) is shown
    listing = text(client, "/admin/outbox")[1]
    assert ("you can read each one here" in listing) is shown


def test_a_production_site_without_a_mail_server_never_shows_captured_mail(
    database_url, captured, tmp_path
):
    production = make_app(
        database_url,
        ENV_NAME="production",
        SECRET_KEY="a-long-random-looking-production-key-0123456789",
        MAIL_SERVER=None,
        MAIL_FILE_DIR=str(tmp_path / "mail"),
    )
    assert production.config["MAIL_CAPTURE_VIEW"] is False
    message_id, address = captured.id, captured.to_address
    _db.session.close()  # the production app's requests write to the same database
    client = production.test_client()
    try:
        login(client, "paa@example.fi", PASSWORD)
        status, html = text(client, f"/admin/outbox/{message_id}")
    finally:
        with production.app_context():
            _db.engine.dispose()
    assert status == 200 and address in html
    assert 'id="captured-text"' not in html and not LINK_RE.search(html)


def test_mail_capture_view_defaults_and_its_environment_override(monkeypatch):
    import config

    assert config.settings("development", {})["MAIL_CAPTURE_VIEW"] is True
    assert config.settings("testing", {})["MAIL_CAPTURE_VIEW"] is True
    assert config.settings("production", {})["MAIL_CAPTURE_VIEW"] is False
    assert config.settings("production", {"MAIL_CAPTURE_VIEW": "yes"})["MAIL_CAPTURE_VIEW"]
    assert not config.settings("development", {"MAIL_CAPTURE_VIEW": "off"})["MAIL_CAPTURE_VIEW"]
    # Read when the app is built, not when the module was imported.
    monkeypatch.setenv("MAIL_CAPTURE_VIEW", "off")
    assert make_app("sqlite://").config["MAIL_CAPTURE_VIEW"] is False


@pytest.mark.parametrize(
    "message_id", ["99999999999999999999999", str(2**63), str(2**31), str(2**31 - 1)]
)
def test_a_message_id_too_large_for_the_database_is_404(client, db, mail, message_id):
    login(client, "paa@example.fi", PASSWORD)
    assert client.get(f"/admin/outbox/{message_id}").status_code == 404
    assert post(client, f"/admin/outbox/{message_id}/retry").status_code == 404


def test_a_round_filter_with_a_nul_is_refused_not_an_error(client, db, mail):
    """Refused before any view (survey_app/security.py): 400, never a 500."""
    login(client, "paa@example.fi", PASSWORD)
    status, html = text(client, "/admin/outbox?round=kevat%00")
    assert status == 400 and mail["L1"].contact_email not in html
