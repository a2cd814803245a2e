"""Password reset by an emailed one-time link, through the outbox and a real SMTP server."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.models import Admin, OutboxMessage, PasswordReset
from tests.factories import make_invitation
from tests.helpers import CSRF_RE, PASSWORD, create, login

EMAIL = "paa@example.fi"
NEW_PASSWORD = "uusi-ja-viela-pidempi-salasana"
LINK_RE = re.compile(r"http://localhost/admin/password/reset/([A-Za-z0-9_-]{43})")
SENT = "Jos osoite on ylläpitäjän, siihen lähetettiin linkki"


@pytest.fixture
def app(mail_app):
    """The reset mail goes through a real SMTP sink (the `smtp` fixture)."""
    return mail_app


@pytest.fixture
def admin(runner, db):
    create(runner, EMAIL, "--role", "national")
    return db.session.scalar(select(Admin).filter_by(email=EMAIL))


def csrf(client, path):
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def forgot(client, email=EMAIL, query=""):
    token = csrf(client, "/admin/password/forgot" + query)
    return client.post("/admin/password/forgot" + query, data={"csrf_token": token, "email": email})


def reset(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(
        path,
        data={
            "csrf_token": csrf(client, "/admin/login"),  # one token per session, any page
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def work(runner):
    result = runner.invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def mailed_path(smtp, index=-1):
    """The reset link's path from the text part of a message to the admin."""
    message = smtp.to(EMAIL)[index]
    link = LINK_RE.search(message.text).group(0)
    assert link in message.html
    return link.removeprefix("http://localhost")


def test_the_full_flow_changes_the_password_and_ends_every_session(
    app,
    runner,
    db,
    smtp,
    admin,
):
    logged_in = app.test_client()
    assert login(logged_in, EMAIL).status_code == 303
    assert logged_in.get("/admin/").status_code == 200

    client = app.test_client()
    login_page = client.get("/admin/login").get_data(as_text=True)
    assert 'href="/admin/password/forgot"' in login_page and "Unohditko salasanasi?" in login_page
    asked = forgot(client, "  PAA@example.fi ")
    assert asked.status_code == 200 and SENT in asked.get_data(as_text=True)
    assert smtp.received == []  # the request only queued it
    assert "Sent 1 messages" in work(runner)
    message = smtp.to(EMAIL)[0]
    assert message.message["Subject"] == "Kartoituksen hallinnan salasanan vaihto"
    assert "Hei," in message.text and "Linkki toimii kerran" in message.text

    path = mailed_path(smtp)
    page = client.get(path)
    assert page.status_code == 200 and "Valitse uusi salasana" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    done = reset(client, path)
    assert done.status_code == 303 and done.headers["Location"] == "/admin/login"
    assert "Salasanasi vaihdettiin" in client.get("/admin/login").get_data(as_text=True)

    assert logged_in.get("/admin/").status_code == 302  # the old session ended
    assert login(client, EMAIL, PASSWORD).status_code == 401
    assert login(client, EMAIL, NEW_PASSWORD).status_code == 303
    db.session.expire_all()
    assert admin.password_hash.startswith("$argon2id$") and admin.session_version == 2


def test_an_unknown_address_gets_the_same_page_and_no_mail(
    client,
    runner,
    db,
    smtp,
    admin,
):
    known = forgot(client)
    unknown = forgot(client, "kuka@example.fi")
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert (
        db.session.scalar(select(PasswordReset).where(PasswordReset.admin_id != admin.id)) is None
    )
    work(runner)
    assert [m.recipients for m in smtp.received] == [[EMAIL]]


def test_a_link_works_once(client, runner, db, smtp, admin):
    forgot(client)
    work(runner)
    path = mailed_path(smtp)
    assert reset(client, path).status_code == 303
    assert client.get(path).status_code == 404
    assert reset(client, path, "kolmas-aivan-uusi-salasana").status_code == 404
    assert login(client, EMAIL, NEW_PASSWORD).status_code == 303


def test_an_expired_link_answers_404_and_is_not_sent(client, runner, db, smtp, admin):
    forgot(client)
    work(runner)
    path = mailed_path(smtp)
    expire_resets(db)
    assert client.get(path).status_code == 404
    assert reset(client, path).status_code == 404

    forgot(client)  # a new link, expired before the worker came by
    expire_resets(db)
    assert "0 to retry later, 1 failed" in work(runner)
    failed = db.session.scalar(select(OutboxMessage).filter_by(status="failed"))
    assert failed.last_error == "not sent: the password reset link expired"
    assert len(smtp.received) == 1


def expire_resets(db):
    for record in db.session.scalars(select(PasswordReset)):
        record.expires_at -= timedelta(hours=1, seconds=1)
    db.session.commit()


def test_a_newer_request_supersedes_the_older_link(client, runner, db, smtp, admin):
    forgot(client)
    work(runner)
    first = mailed_path(smtp)
    forgot(client)
    forgot(client)  # queued twice: only the newest message goes out
    assert "Sent 1 messages; 0 to retry later, 1 failed" in work(runner)
    assert client.get(first).status_code == 404
    assert client.get(mailed_path(smtp)).status_code == 200
    superseded = db.session.scalar(select(OutboxMessage).filter_by(status="failed"))
    assert superseded.last_error == "superseded: a newer password reset was asked for"


@pytest.mark.parametrize(
    "token",
    ["abc", "A" * 43, "A" * 44, "%00" * 10],
    ids=["short", "unknown", "long", "nul"],
)
def test_a_malformed_or_unknown_token_answers_404(client, db, admin, token):
    assert client.get(f"/admin/password/reset/{token}").status_code == 404


def test_the_outbox_and_the_database_hold_no_token(client, runner, db, smtp, admin):
    forgot(client)
    rows = [*db.session.scalars(select(OutboxMessage)), *db.session.scalars(select(PasswordReset))]
    dump = " ".join(str(vars(row)) for row in rows)
    assert "/admin/password/reset/" not in dump
    work(runner)
    token = LINK_RE.search(smtp.received[0].text).group(1)
    assert token not in dump
    message = db.session.scalar(select(OutboxMessage))
    assert (message.kind, message.admin_id, message.invitation_id) == (
        "password_reset",
        admin.id,
        None,
    )


def test_a_short_or_mismatched_password_is_refused_in_finnish(client, runner, db, smtp, admin):
    forgot(client)
    work(runner)
    path = mailed_path(smtp)
    short = reset(client, path, "lyhyt")
    assert short.status_code == 422
    assert "Salasanassa on oltava vähintään 12 merkkiä." in short.get_data(as_text=True)
    mismatch = reset(client, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 422
    assert "Salasanat eivät täsmää." in mismatch.get_data(as_text=True)
    assert login(client, EMAIL, PASSWORD).status_code == 303  # unchanged
    assert client.get(path).status_code == 200  # and the link still works


def test_a_reset_unlocks_a_locked_account(client, runner, db, smtp, admin):
    for _ in range(5):
        login(client, EMAIL, "väärä salasana")
    forgot(client)
    work(runner)
    reset(client, mailed_path(smtp))
    assert login(client, EMAIL, NEW_PASSWORD).status_code == 303


def test_the_message_speaks_the_language_of_the_page(client, runner, db, smtp, admin):
    asked = forgot(client, query="?lang=sv")
    assert "Om adressen tillhör en administratör" in asked.get_data(as_text=True)
    work(runner)
    message = smtp.to(EMAIL)[0]
    assert message.message["Subject"] == "Byte av lösenord till administrationen av kartläggningen"
    assert "Hej," in message.text


def test_a_burst_of_requests_from_one_client_answers_429(app, client, runner, db, admin):
    app.config["LINK_FAILURE_LIMIT"] = 3
    statuses = [forgot(client).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3


def test_an_outbox_row_names_exactly_one_cause(db, admin):
    invitation, _path = make_invitation()
    both = {"invitation_id": invitation.id, "admin_id": admin.id}
    for kind, cause in [
        ("password_reset", both),
        ("password_reset", {}),
        ("password_reset", {"invitation_id": invitation.id}),
        ("invitation", both),
        ("invitation", {"admin_id": admin.id}),
    ]:
        db.session.add(
            OutboxMessage(
                kind=kind, to_address=EMAIL, language="fi", message_id=f"<{kind}{cause}>", **cause
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
