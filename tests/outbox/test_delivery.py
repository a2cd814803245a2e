"""Invitations, reminders and receipts through a real SMTP server."""

import re
import threading
import time

import pytest
from sqlalchemy import select

from survey_app.demo import DEMO_ROSTER
from survey_app.models import OutboxMessage
from survey_app.outbox.queue import queue_message
from survey_app.outbox.worker import Worker
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import form_fields, invoke
from tests.smtp_sink import DROP

LINK_RE = re.compile(r"http://localhost/r/[A-Za-z0-9_-]{43}")


def open_demo_round(runner, slug="kevat"):
    invoke(runner, "units", "import", DEMO_ROSTER)
    invoke(runner, "rounds", "create", slug, "--title", "Kevät", "--deadline", "2030-06-14T16:00")
    invoke(runner, "rounds", "open", slug)


def test_58_units_get_one_invitation_each_even_when_send_runs_twice(runner, client, db, smtp):
    open_demo_round(runner)
    assert "Queued 58 invitations" in invoke(runner, "invitations", "send", "kevat")
    assert "Queued 0 invitations" in invoke(runner, "invitations", "send", "kevat")
    assert "Sent 58 messages" in invoke(runner, "outbox", "work", "--once")
    assert "Sent 0 messages" in invoke(runner, "outbox", "work", "--once")
    received = smtp.received
    assert len(received) == 58
    assert len({m.recipients[0] for m in received}) == 58
    assert len({m.message_id for m in received}) == 58
    for message in received[:5]:
        link = LINK_RE.search(message.text).group(0)
        assert client.get(link.removeprefix("http://localhost")).status_code == 200
        assert message.html and link in message.html


def test_links_then_send_still_mails_everyone_once(runner, db, smtp):
    open_demo_round(runner)
    links = invoke(runner, "invitations", "links", "kevat")
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "outbox", "work", "--once")
    mailed_links = {LINK_RE.search(m.text).group(0) for m in smtp.received}
    assert len(smtp.received) == 58
    assert mailed_links == set(LINK_RE.findall(links))


def test_the_message_speaks_the_units_language(runner, db, smtp):
    open_demo_round(runner)
    invoke(runner, "invitations", "send", "kevat")
    invoke(runner, "outbox", "work", "--once")
    swedish = smtp.to("paivi.lehtonen@kehy022.example.fi")[0]
    assert swedish.message["Subject"].startswith("Inbjudan till kartläggningen:")
    assert "Hej Päivi Lehtonen" in swedish.text
    finnish = smtp.to("anna.virtanen@kehy001.example.fi")[0]
    assert "Hei Anna Virtanen" in finnish.text
    assert "14.6.2030 klo 16.00" in finnish.text  # Helsinki summer time, not UTC


def test_queued_rows_hold_no_link(runner, db, smtp):
    open_demo_round(runner)
    invoke(runner, "invitations", "send", "kevat")
    rows = db.session.scalars(select(OutboxMessage)).all()
    dump = " ".join(str(vars(row)) for row in rows)
    assert "/r/" not in dump
    invoke(runner, "outbox", "work", "--once")
    for message in smtp.received:
        token = LINK_RE.search(message.text).group(0).rsplit("/", 1)[1]
        assert token not in dump


def submit(client, link, **answers):
    fields = form_fields(client.get(link).get_data(as_text=True))
    response = client.post(link, data={**fields, "action": "submit", **answers})
    assert response.status_code == 303


def test_reminders_reach_exactly_the_units_that_did_not_submit(runner, client, db, smtp):
    round_ = make_round(slug="syksy")
    invitations = [make_invitation(round_=round_) for _ in range(5)]
    for _invitation, link in invitations[:2]:
        submit(client, link, k1_1="yes")
    invoke(runner, "outbox", "work", "--once")  # the two receipts
    smtp.handler.received.clear()
    assert "Queued 3 reminders" in invoke(runner, "invitations", "remind", "syksy")
    invoke(runner, "outbox", "work", "--once")
    reminded = sorted(m.recipients[0] for m in smtp.received)
    assert reminded == sorted(inv.unit.contact_email for inv, _ in invitations[2:])
    assert all(m.message["Subject"].startswith("Muistutus:") for m in smtp.received)


def test_reminder_options(runner, client, db, smtp):
    round_ = make_round(slug="syksy")
    (opened, opened_link), (_never, _) = (
        make_invitation(round_=round_),
        make_invitation(round_=round_),
    )
    client.get(opened_link)
    assert "Queued 1 reminders" in invoke(
        runner, "invitations", "remind", "syksy", "--only-unopened"
    )
    assert "Queued 0 reminders" in invoke(
        runner, "invitations", "remind", "syksy", "--only-unopened", "--max-reminders", 1
    )
    # the opened unit was never mailed (links only), so it is not "mailed within 3 days"
    assert "Queued 1 reminders" in invoke(
        runner, "invitations", "remind", "syksy", "--not-within-days", 3
    )
    # Both were mailed today: a plain remind leaves them out, as the web's "remind all".
    assert "Queued 0 reminders" in invoke(runner, "invitations", "remind", "syksy")
    assert "not both" in invoke(
        runner, "invitations", "remind", "syksy", "--all", "--not-within-days", 2, code=1
    )
    assert "Queued 2 reminders" in invoke(
        runner, "invitations", "remind", "syksy", "--all", "--max-reminders", 2
    )
    assert "Queued 0 reminders" in invoke(
        runner, "invitations", "remind", "syksy", "--all", "--max-reminders", 2
    )
    assert opened.first_opened_at is not None


def test_reminders_for_a_closed_round_are_refused(runner, db, smtp):
    make_round(slug="vanha", state="closed")
    result = runner.invoke(args=["invitations", "remind", "vanha"])
    assert result.exit_code == 1
    assert "not open" in result.output


def test_a_receipt_carries_the_submitted_answers(runner, client, db, smtp):
    invitation, link = make_invitation()
    submit(client, link, k1_1="planned", kehy_mission="Kehitämme lastensuojelua yhdessä.")
    invoke(runner, "outbox", "work", "--once")
    (receipt,) = smtp.to(invitation.unit.contact_email)
    assert receipt.message["Subject"].startswith("Vastauksesi kartoitukseen:")
    assert "Kehitämme lastensuojelua yhdessä." in receipt.text
    assert "Toimintarakenne on verkostoitunut" in receipt.text
    assert "Suunnitteilla" in receipt.text
    assert link in receipt.text  # the link to correct the answers


def test_a_double_submit_sends_one_receipt(runner, client, db, smtp):
    invitation, link = make_invitation()
    fields = form_fields(client.get(link).get_data(as_text=True))
    for _ in range(2):
        client.post(link, data={**fields, "action": "submit", "k1_1": "yes"})
    invoke(runner, "outbox", "work", "--once")
    assert len(smtp.to(invitation.unit.contact_email)) == 1


def queued_invitations(runner, count: int) -> list:
    round_ = make_round()
    units = [make_unit() for _ in range(count)]
    for unit in units:
        make_invitation(round_=round_, unit=unit)
    invoke(runner, "invitations", "send", round_.slug)
    return units


def test_a_server_answering_421_then_recovering_loses_nothing(runner, db, smtp):
    """A 421 is the server closing, not a refusal of the message: nothing is charged,
    `--once` stops (exit 1) and says what it sent, and a later run sends the rest."""
    units = queued_invitations(runner, 6)
    smtp.handler.data_replies.extend([None, "421 4.3.2 Service not available, try later"] * 3)
    outputs = [runner.invoke(args=["outbox", "work", "--once"]) for _ in range(4)]
    assert [result.exit_code for result in outputs] == [1, 1, 1, 0]
    assert "Sent 1 messages" in outputs[0].output and "421 4.3.2" in outputs[0].stderr
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(u.contact_email for u in units)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(row.status == "sent" for row in rows)
    assert sum(row.attempts for row in rows) == 6  # the 421s charged nothing


BUSY = "421 4.3.0 Too busy, come back later"


@pytest.mark.parametrize(
    "outage", ["421 to MAIL", "421 to RCPT", "421 to DATA", "disconnect before the answer"]
)
def test_an_outage_charges_no_message_and_everything_goes_afterwards(app, runner, db, smtp, outage):
    """With OUTBOX_MAX_ATTEMPTS=3 an outage used to make every message tried give up
    ("gave up after 3 attempts: SMTPServerDisconnected"), never to be sent."""
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    units = queued_invitations(runner, 20)
    if outage == "421 to MAIL":
        smtp.handler.mail_replies.extend([BUSY] * 200)
    elif outage == "421 to RCPT":
        smtp.handler.refuse.update({unit.contact_email: BUSY for unit in units})
    elif outage == "421 to DATA":
        smtp.handler.data_replies.extend([BUSY] * 200)
    else:
        smtp.handler.data_replies.extend([DROP] * 200)
    for _ in range(5):  # the worker tries again and again while the server is down
        result = runner.invoke(args=["outbox", "work", "--once"])
        assert result.exit_code == 1 and "mail server unavailable" in result.stderr
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [(row.status, row.attempts) for row in rows] == [("queued", 0)] * 20
    smtp.handler.mail_replies.clear()  # the server is back
    smtp.handler.data_replies.clear()
    smtp.handler.refuse.clear()
    assert "Sent 20 messages" in invoke(runner, "outbox", "work", "--once")
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1)] * 20
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(u.contact_email for u in units)


def test_the_running_worker_waits_out_an_outage_and_counts_every_message(app, db, runner, smtp):
    """`outbox work` (no --once) meets a dropped connection after 5 messages, waits,
    goes on, and its final count is every message it sent."""
    queued_invitations(runner, 12)
    smtp.handler.data_replies.extend([None] * 5 + [DROP, "421 4.3.2 try later"])
    worker = Worker(batch_size=4)

    def stop_when_all_arrived():
        while len(smtp.received) < 12 and not worker.stopping:
            time.sleep(0.02)
        worker.stopping = True

    watcher = threading.Thread(target=stop_when_all_arrived)
    watcher.start()
    try:
        total = worker.run_forever(poll_seconds=0.05)
    finally:
        worker.stopping = True
        watcher.join()
    assert len(smtp.received) == 12
    assert (total.sent, total.retried, total.failed) == (12, 0, 0)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert sum(row.attempts for row in rows) == 12


def test_a_permanent_550_is_not_retried(runner, db, smtp):
    invitation, _link = make_invitation()
    address = invitation.unit.contact_email
    smtp.handler.refuse[address] = "550 5.1.1 No such user here"
    invoke(runner, "invitations", "send", invitation.round.slug)
    output = invoke(runner, "outbox", "work", "--once")
    assert "1 failed" in output
    invoke(runner, "outbox", "work", "--once")
    assert smtp.handler.rcpt_attempts.count(address) == 1
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "failed"
    assert "550" in row.last_error and "No such user" in row.last_error


def test_retries_stop_at_the_limit_with_the_servers_answer(app, runner, db, smtp):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    invitation, _link = make_invitation()
    smtp.handler.data_replies.extend(["451 4.7.1 Greylisted"] * 10)
    invoke(runner, "invitations", "send", invitation.round.slug)
    for _ in range(10):
        invoke(runner, "outbox", "work", "--once")
        time.sleep(0.06)
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "failed"
    assert row.attempts == 3
    assert "451 4.7.1 Greylisted" in row.last_error


def test_without_a_mail_server_messages_become_eml_files(app, runner, db, tmp_path):
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    invitation, link = make_invitation()
    invoke(runner, "invitations", "send", invitation.round.slug)
    invoke(runner, "outbox", "work", "--once")
    (eml,) = (tmp_path / "mail").glob("*.eml")
    assert f"http://localhost{link}" in eml.read_text(encoding="utf-8")


def test_a_message_that_cannot_be_rendered_fails_alone(runner, db, smtp):
    broken_invitation, _ = make_invitation()
    good_invitation, _ = make_invitation()
    queue_message(broken_invitation, "receipt")  # a receipt with no submission: bad data
    queue_message(good_invitation, "invitation")
    db.session.commit()
    output = invoke(runner, "outbox", "work", "--once")
    assert "Sent 1 messages" in output and "1 failed" in output
    broken = db.session.scalar(select(OutboxMessage).filter_by(kind="receipt"))
    assert broken.status == "failed" and broken.last_error.startswith("cannot render")
    assert [m.recipients[0] for m in smtp.received] == [good_invitation.unit.contact_email]


def test_each_database_has_its_own_folder_of_captured_mail(tmp_path):
    """Without MAIL_FILE_DIR, the demo's SQLite file and a PostgreSQL database never
    write their .eml files into one folder."""
    from survey_app.outbox.transport import captured_mail_dir
    from tests.helpers import make_app

    folders = []
    for uri in (
        f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        f"sqlite:///{tmp_path / 'other.sqlite3'}",
        f"sqlite:///{tmp_path / 'elsewhere' / 'demo.sqlite3'}",
        "postgresql+psycopg://u:p@db.example:5432/survey",
        "postgresql+psycopg://u:p@db.example:5433/survey",
    ):
        app = make_app(uri)
        app.config.update(MAIL_SERVER=None, MAIL_FILE_DIR=None)
        with app.app_context():
            folders.append(captured_mail_dir())
    assert len(set(folders)) == 5
    assert [folder.parent.name for folder in folders] == ["mail"] * 5
    names = [folder.name.rsplit("-", 1)[0] for folder in folders]
    assert names == ["sqlite-demo", "sqlite-other", "sqlite-demo"] + ["postgresql-survey"] * 2


def test_the_worker_reads_a_batch_together_not_several_queries_per_message(runner, db, smtp):
    """Each message used to cost six reads (the message, its invitation, unit, round,
    the round's questionnaires, the earlier answers) before its send and its commit;
    the messages read ahead come with their invitations, units and rounds at once."""
    from sqlalchemy import event

    open_demo_round(runner)
    invoke(runner, "invitations", "send", "kevat")
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert "Sent 58 messages" in invoke(runner, "outbox", "work", "--once")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(smtp.received) == 58
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # Per message only the update marking it sent; the reads, earlier answers included,
    # are per batch of messages read ahead.
    assert len(selects) <= 60, len(selects)


def test_a_change_made_while_the_worker_sends_is_still_seen(app, runner, db, smtp):
    """The worker reads only a few messages ahead: an address corrected while it is
    sending the first ones stops the old address's message further down the batch."""
    from sqlalchemy import update

    from survey_app.models import Invitation, Unit
    from survey_app.outbox.worker import PREPARE_AHEAD

    open_demo_round(runner)
    invoke(runner, "invitations", "send", "kevat")
    order = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    later = order[PREPARE_AHEAD + 5]
    unit_id = db.session.scalar(
        select(Invitation.unit_id).where(Invitation.id == later.invitation_id)
    )
    later_id, old_address = later.id, later.to_address

    def correct_the_address(accepted: int) -> None:
        if accepted != 1:
            return
        with app.app_context():
            db.session.execute(
                update(Unit).where(Unit.id == unit_id).values(contact_email="uusi@example.fi")
            )
            db.session.commit()
            db.session.remove()

    smtp.handler.after_accept = correct_the_address
    invoke(runner, "outbox", "work", "--once")
    assert len(smtp.received) == 57 and not smtp.to(old_address)
    db.session.expire_all()
    stopped = db.session.get(OutboxMessage, later_id)
    assert stopped.status == "failed" and stopped.last_error.startswith("superseded")


def test_a_dropped_database_connection_mid_batch_sends_nothing_twice(postgresql_url, smtp):
    """PostgreSQL ends the worker's connections (a restart, an idle timeout) while the
    mail server is taking a message: that message is still marked sent, over a new
    connection, and every unit gets its invitation once."""
    from sqlalchemy import create_engine, text

    from survey_app.extensions import db
    from tests.helpers import mail_settings, make_app

    app = make_app(postgresql_url, **mail_settings(smtp))
    runner = app.test_cli_runner()
    with app.app_context():
        open_demo_round(runner)
        invoke(runner, "invitations", "send", "kevat")
    other = create_engine(postgresql_url)

    def end_the_workers_connections(accepted: int) -> None:
        if accepted == 3:
            with other.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )

    smtp.handler.after_accept = end_the_workers_connections
    try:
        with app.app_context():
            invoke(runner, "outbox", "work", "--once")
            ids = [received.message_id for received in smtp.received]
            assert len(ids) == len(set(ids)) == 58
            statuses = db.session.scalars(select(OutboxMessage.status)).all()
            assert statuses == ["sent"] * 58
            db.session.remove()
            db.engine.dispose()
    finally:
        other.dispose()
