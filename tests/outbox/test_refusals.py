"""Mail that must not go out, and a mail server that cannot be used at all."""

import re

from sqlalchemy import select

from survey_app.invitations.mailing import invitation_of, reissue_and_mail
from survey_app.models import OutboxMessage, Unit
from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import invoke
from tests.pg_server import free_port

LINK_RE = re.compile(r"http://localhost(/r/[A-Za-z0-9_-]{43})")


def test_an_unreachable_server_charges_no_message(app, runner, db, smtp):
    round_ = make_round(slug="kevat")
    for _ in range(3):
        make_invitation(round_=round_)
    invoke(runner, "invitations", "send", "kevat")
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    app.extensions["mail"].port = app.config["MAIL_PORT"]
    output = invoke(runner, "outbox", "work", "--once", code=1)
    assert "unavailable" in output
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [(row.status, row.attempts, row.claimed_by) for row in rows] == [("queued", 0, None)] * 3
    app.extensions["mail"].port = smtp.port
    assert "Sent 3 messages" in invoke(runner, "outbox", "work", "--once")


def test_a_reissued_link_never_reaches_the_old_address(runner, db, smtp):
    round_ = make_round(slug="kevat")
    make_invitation(round_=round_, unit=make_unit(code="K1", contact_email="vanha@kunta.fi"))
    invoke(runner, "invitations", "send", "kevat")  # queued to the old address
    db.session.scalar(select(Unit).filter_by(code="K1")).contact_email = "uusi@kunta.fi"
    reissue_and_mail(invitation_of(round_, "K1"))
    db.session.commit()
    output = invoke(runner, "outbox", "work", "--once")
    assert "Sent 1 messages" in output and "1 failed" in output
    assert [m.recipients for m in smtp.received] == [["uusi@kunta.fi"]]
    stale = db.session.scalar(select(OutboxMessage).filter_by(to_address="vanha@kunta.fi"))
    assert stale.status == "failed" and stale.last_error.startswith("superseded")


def test_no_invitation_for_a_deactivated_unit_or_a_closed_round(runner, db, smtp):
    """Both units are in both rounds (a round covers the roster)."""
    open_round, closing_round = make_round(slug="kevat"), make_round(slug="syksy")
    gone, stays = make_unit(), make_unit()
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "invitations", "send", "syksy")
    gone.deactivated_at = utcnow()
    closing_round.state = "closed"
    db.session.commit()
    output = invoke(runner, "outbox", "work", "--once")
    assert "Sent 1 messages" in output and "3 failed" in output
    assert [m.recipients for m in smtp.received] == [[stays.contact_email]]
    reasons = sorted(
        db.session.scalars(select(OutboxMessage.last_error).where(OutboxMessage.status == "failed"))
    )
    assert (
        reasons
        == ["not sent: the round no longer takes answers"]
        + ["not sent: the unit was deactivated"] * 2
    )
    assert open_round.state == "open"


def test_invitations_wait_until_the_round_is_open(runner, db, smtp):
    make_round(slug="luonnos", state="draft")
    output = invoke(runner, "invitations", "send", "luonnos", code=1)
    assert "draft" in output


def test_a_title_with_a_line_break_makes_a_one_line_subject(runner, db, smtp):
    round_ = make_round(slug="kevat")
    round_.title = "Kartoitus\nBcc: evil@example.com"  # written past the checks
    make_invitation(round_=round_)
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "outbox", "work", "--once")
    (message,) = smtp.received
    assert message.message["Bcc"] is None
    assert message.message["Subject"] == "Kutsu kartoitukseen: Kartoitus Bcc: evil@example.com"
    assert message.recipients == [db.session.scalar(select(Unit.contact_email))]


def test_titles_and_names_with_line_breaks_are_refused_where_they_enter(runner, db, tmp_path):
    output = invoke(
        runner, "rounds", "create", "x", "--title", "A\nB", "--deadline", "2030-06-14T16:00", code=1
    )
    assert "one line" in output
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "code,name,field,status,region,contact_email\n"
        'K1,"Yksikkö\nBcc: x@y.fi",Lastensuojelu,active,Itä-Suomi,a@b.fi\n',
        encoding="utf-8",
    )
    output = invoke(runner, "units", "import", roster, code=1)
    assert "line break" in output


def test_failed_messages_can_be_queued_again(app, runner, db, smtp):
    invitation, _ = make_invitation()
    smtp.handler.refuse[invitation.unit.contact_email] = "550 5.2.2 Mailbox full"
    invoke(runner, "invitations", "send", invitation.round.slug)
    assert "1 failed" in invoke(runner, "outbox", "work", "--once")
    smtp.handler.refuse.clear()
    assert "Queued 1 failed messages again" in invoke(runner, "outbox", "retry")
    assert "Sent 1 messages" in invoke(runner, "outbox", "work", "--once")
    assert len(smtp.received) == 1


def test_reissue_without_mail_prints_the_new_link(runner, client, db, smtp):
    round_ = make_round(slug="kevat")
    _, old_link = make_invitation(round_=round_, unit=make_unit(code="K5"))
    output = invoke(runner, "invitations", "reissue", "kevat", "K5", "--no-mail")
    new_link = LINK_RE.search(output).group(1)
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404
    assert db.session.scalar(select(OutboxMessage)) is None
