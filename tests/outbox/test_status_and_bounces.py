"""`invitations status` (each unit's mail, link and response state) and `outbox bounces`
(delivery status notifications read back from a maildir or an mbox), through the real
SMTP sink and the CLI."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from survey_app.invitations.status import round_status
from survey_app.models import OutboxMessage, Round
from survey_app.outbox.queue import queue_message
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import form_fields, invoke
from tests.outbox.dsn_mail import dsn, out_of_office, write_maildir, write_mbox


def mailed_round(runner, smtp, count=2, slug="kevat"):
    round_ = make_round(slug=slug)
    invitations = [make_invitation(round_=round_)[0] for _ in range(count)]
    invoke(runner, "invitations", "send", slug)
    invoke(runner, "outbox", "work", "--once")
    sent = {m.recipients[0]: m for m in smtp.received}
    return [(inv, sent[inv.unit.contact_email]) for inv in invitations]


def row_of(db, invitation) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage).filter_by(invitation_id=invitation.id, kind="invitation")
    )


def status_line(output: str, code: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(code + " "))


# --- bounces --------------------------------------------------------------------------


def test_a_bounce_in_a_maildir_marks_the_right_invitation(runner, db, smtp, tmp_path):
    (bounced, bounced_mail), (fine, fine_mail) = mailed_round(runner, smtp)
    address = bounced.unit.contact_email
    maildir = write_maildir(
        tmp_path / "Maildir",
        [
            dsn(bounced_mail.raw, address),
            out_of_office(fine_mail.message_id),
            dsn(
                fine_mail.raw,
                fine.unit.contact_email,
                action="delayed",
                status="4.4.1",
                diagnostic="X-Postfix; connect to mx.example.fi[192.0.2.25]:25: timed out",
            ),
            dsn(b"Message-ID: <someone-else@example.org>\nSubject: x\n", "x@example.org"),
        ],
    )
    output = invoke(runner, "outbox", "bounces", maildir)
    assert "Read 4 messages: 1 bounces matched, 1 unmatched, 2 ignored" in output
    row = row_of(db, bounced)
    assert row.bounced_at is not None and row.status == "sent"
    assert row.last_error.startswith("bounced: ")
    assert "550 5.1.1" in row.last_error and "User unknown" in row.last_error
    untouched = row_of(db, fine)
    assert untouched.bounced_at is None and untouched.last_error is None

    status = invoke(runner, "invitations", "status", "kevat")
    line = status_line(status, bounced.unit.code)
    assert "bounced 2" in line and address in line
    assert "reason: bounced: 550 5.1.1" in status
    assert "sent 2" in status_line(status, fine.unit.code)
    assert "mailed 2, queued 0, failed 0, bounced 1," in status


def test_reading_the_same_bounces_again_changes_nothing(runner, db, smtp, tmp_path):
    ((invitation, mail),) = mailed_round(runner, smtp, count=1)
    maildir = write_maildir(tmp_path / "Maildir", [dsn(mail.raw, invitation.unit.contact_email)])
    first = invoke(runner, "outbox", "bounces", maildir)
    assert "Marked 1 messages bounced" in first
    marked = row_of(db, invitation)
    bounced_at, reason = marked.bounced_at, marked.last_error
    again = invoke(runner, "outbox", "bounces", maildir)
    assert "Read 1 messages: 1 bounces matched, 0 unmatched, 0 ignored" in again
    assert "Marked 0 messages bounced" in again
    row = row_of(db, invitation)
    assert (row.bounced_at, row.last_error) == (bounced_at, reason)


def test_bounces_from_an_mbox_with_the_whole_original_or_only_in_reply_to(
    runner, db, smtp, tmp_path
):
    (whole, whole_mail), (replied, replied_mail), (delayed, delayed_mail) = mailed_round(
        runner, smtp, count=3
    )
    mbox = write_mbox(
        tmp_path / "bounces.mbox",
        [
            dsn(whole_mail.raw, whole.unit.contact_email, full_original=True),
            dsn(
                None,
                replied.unit.contact_email,
                status="5.2.2",
                diagnostic="smtp; 552 5.2.2 Mailbox full",
                in_reply_to=replied_mail.message_id,
            ),
            dsn(delayed_mail.raw, delayed.unit.contact_email, action="delayed", status="4.2.2"),
            out_of_office(delayed_mail.message_id),
        ],
    )
    output = invoke(runner, "outbox", "bounces", mbox)
    assert "Read 4 messages: 2 bounces matched, 0 unmatched, 2 ignored" in output
    assert "User unknown" in row_of(db, whole).last_error
    address = replied.unit.contact_email
    assert row_of(db, replied).last_error == f"bounced: 552 5.2.2 Mailbox full ({address})"
    assert row_of(db, delayed).bounced_at is None
    status = invoke(runner, "invitations", "status", "kevat")
    assert "bounced 2" in status_line(status, whole.unit.code)
    assert "sent 2" in status_line(status, delayed.unit.code)


def test_a_server_giving_up_after_days_of_4xx_is_a_bounce(runner, db, smtp, tmp_path):
    """Action: failed is final even with a 4.x.x status (Postfix's queue lifetime ran out)."""
    ((invitation, mail),) = mailed_round(runner, smtp, count=1)
    notice = dsn(
        mail.raw,
        invitation.unit.contact_email,
        status="4.4.1",
        diagnostic="X-Postfix; connect to mx.example.fi: Connection timed out",
    )
    output = invoke(runner, "outbox", "bounces", write_mbox(tmp_path / "m.mbox", [notice]))
    assert "1 bounces matched" in output
    assert "Connection timed out" in row_of(db, invitation).last_error


def test_bounces_refuses_what_is_no_mailbox(runner, db, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("Subject: hello\n\nnot an mbox\n", encoding="utf-8")
    for path in (tmp_path / "folder", tmp_path / "notes.txt"):
        result = runner.invoke(args=["outbox", "bounces", str(path)])
        assert result.exit_code == 1
        assert "not a" in result.output


# --- status ---------------------------------------------------------------------------


def post(client, link, action, **answers):
    fields = form_fields(client.get(link).get_data(as_text=True))
    response = client.post(link, data={**fields, "action": action, **answers})
    assert response.status_code == 303


def test_status_shows_each_units_state_and_the_totals(runner, client, db, smtp):
    round_ = make_round(slug="syksy")
    names = ["failed", "sent", "opened", "draft", "submitted", "resubmitting"]
    units = {name: make_unit(name=f"Yksikkö {name} " + "x" * 40) for name in names}
    links = {name: make_invitation(round_=round_, unit=unit)[1] for name, unit in units.items()}
    smtp.handler.refuse[units["failed"].contact_email] = "550 5.1.1 No such user here"
    invoke(runner, "invitations", "send", "syksy")
    assert "Sent 5 messages; 0 to retry later, 1 failed" in invoke(
        runner, "outbox", "work", "--once"
    )
    client.get(links["opened"])
    post(client, links["draft"], "save", k1_1="planned")
    post(client, links["submitted"], "submit", k1_1="yes")
    post(client, links["resubmitting"], "submit", k1_1="yes")
    post(client, links["resubmitting"], "save", k1_1="no")
    units["queued"] = make_unit()
    invoke(runner, "invitations", "send", "syksy")  # queues the new unit's only
    units["never mailed"] = make_invitation(round_=round_)[0].unit  # as `links` makes them
    units["not invited"] = make_unit()

    output = invoke(runner, "invitations", "status", "syksy")
    line = {name: status_line(output, unit.code) for name, unit in units.items()}
    assert re.search(r"failed 20\d\d-\d\d-\d\d \d\d:\d\d", line["failed"])
    assert "reason: 550 5.1.1 No such user here" in output
    assert re.search(r"sent 20\d\d-\d\d-\d\d \d\d:\d\d\s+-\s+-$", line["sent"])
    assert re.search(r"sent \S+ \S+\s+20\d\d-\d\d-\d\d \d\d:\d\d\s+-$", line["opened"])
    assert re.search(r" draft \S+ \S+$", line["draft"]) and "submitted" not in line["draft"]
    assert "submitted 20" in line["submitted"] and "draft" not in line["submitted"]
    assert re.search(r"submitted \S+ \S+ \+ draft \S+ \S+$", line["resubmitting"])
    assert "queued 20" in line["queued"]
    # the receipts still queued for the submitters do not count as their mail
    assert "not mailed" in line["never mailed"]
    assert "not invited" in line["not invited"]
    assert "Yksikkö failed xxxxxxxxxxxxxx…" in line["failed"]  # names cut at 30
    assert units["failed"].contact_email in line["failed"]
    assert (
        "Units 9, invited 8, mailed 5, queued 1, failed 1, bounced 0, opened 4, draft 2, "
        "submitted 2; response rate 25.0% (2 of 8 invited)"
    ) in output

    status = round_status(round_)
    by_code = {unit.code: unit for unit in status.units}
    resubmitting = by_code[units["resubmitting"].code]
    assert resubmitting.submitted_at and resubmitting.draft_saved_at > resubmitting.submitted_at
    assert by_code[units["failed"].code].mail.reason == "550 5.1.1 No such user here"


def test_status_of_an_unknown_round_is_an_error(runner, db):
    result = runner.invoke(args=["invitations", "status", "nope"])
    assert result.exit_code == 1
    assert "no round with slug 'nope'" in result.output


def test_status_takes_the_same_few_queries_for_any_number_of_units(app, db, smtp):
    def queries_for(round_) -> int:
        statements = []

        def record(*_args):
            statements.append(1)

        db.session.expire_all()
        db.session.get(Round, round_.id)  # the round and a connection at hand, as in the CLI
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            round_status(round_)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    small = make_round()
    make_invitation(round_=small)
    large = make_round()
    for _ in range(30):
        invitation, _link = make_invitation(round_=large)
        queue_message(invitation, "invitation")
    db.session.commit()
    assert queries_for(small) == queries_for(large) == 2


_ids = itertools.count(1)


def mail(status="sent", minutes=0, bounced=False, error=None) -> dict:
    """One invitation or reminder email, `minutes` after the first."""
    at = datetime(2030, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=minutes)
    return {
        "kind": "reminder" if minutes else "invitation",
        "status": status,
        "created_at": at,
        "next_attempt_at": at,
        "sent_at": at if status == "sent" else None,
        "bounced_at": at + timedelta(minutes=5) if bounced else None,
        "last_error": error,
    }


@pytest.mark.parametrize(
    ("mails", "state", "reason"),
    [
        ([], "not mailed", None),
        ([mail("queued", error="451 4.7.1 Greylisted")], "queued", "451 4.7.1 Greylisted"),
        # A reminder waiting after an invitation that arrived: the unit has mail.
        ([mail("sent"), mail("queued", 10)], "sent", None),
        # A reminder waiting after one that failed or bounced: it is the hope now.
        ([mail("failed", error="550"), mail("queued", 10)], "queued", None),
        ([mail(bounced=True), mail("queued", 10)], "queued", None),
        # A reminder sent after a bounce (the address was fixed) counts, and vice versa.
        ([mail(bounced=True), mail("sent", 10)], "sent", None),
        (
            [mail("sent"), mail("sent", 10, bounced=True, error="bounced: x")],
            "bounced",
            "bounced: x",
        ),
        ([mail("failed", error="550 5.1.1")], "failed", "550 5.1.1"),
    ],
)
def test_the_latest_finished_email_decides_and_a_waiting_one_shows_as_queued(
    db, mails, state, reason
):
    """The rule, decided by the database for every unit of a round at once."""
    invitation, _link = make_invitation()
    for values in mails:
        db.session.add(
            OutboxMessage(
                invitation_id=invitation.id,
                to_address="x@example.fi",
                language="fi",
                message_id=f"<{next(_ids)}@test>",
                **values,
            )
        )
    db.session.commit()
    (unit,) = round_status(invitation.round).units
    assert (unit.mail.state, unit.mail.reason) == (state, reason)
    if state == "bounced":
        assert unit.mail.at.minute == 15  # when it bounced
    assert unit.ever_sent == any(values["status"] == "sent" for values in mails)
