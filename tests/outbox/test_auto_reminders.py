"""Automatic reminders N days before the deadline, queued by `outbox work`, once each.

The clock is the real one: the tests move a round's deadline relative to utcnow().
"""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text

from survey_app.extensions import db as _db
from survey_app.invitations.auto_reminders import queue_due_reminders, reminder_moment
from survey_app.models import OutboxMessage, Round, RoundReminder
from survey_app.models.types import utcnow
from survey_app.timeutil import format_local, parse_local
from tests.factories import make_invitation, make_round
from tests.helpers import form_fields, invoke, make_app


def refused(runner, *args):
    result = runner.invoke(args=[str(arg) for arg in args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


def submit(client, link):
    fields = form_fields(client.get(link).get_data(as_text=True))
    response = client.post(link, data={**fields, "action": "submit", "k1_1": "yes"})
    assert response.status_code == 303


def reminders_to(smtp) -> list[str]:
    return sorted(
        m.recipients[0] for m in smtp.received if m.message["Subject"].startswith("Muistutus:")
    )


def set_deadline(db, round_, days=0.0, hours=0.0) -> None:
    """Move the deadline to now + days + hours (days=7, hours=-1: the 7-day moment
    passed an hour ago)."""
    round_ = db.session.get(Round, round_.id)
    round_.deadline = utcnow() + timedelta(days=days, hours=hours)
    db.session.commit()


def records(db, round_) -> dict[int, tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.scalars(select(RoundReminder).filter_by(round_id=round_.id))
    return {row.days_before: (row.outcome, row.queued) for row in rows}


def open_round_with_units(db, client, units=4, submitted=1, slug="syksy", **deadline):
    """An open round (opened long ago) with invitations; `submitted` units have answered."""
    round_ = make_round(slug=slug)
    round_.opened_at = utcnow() - timedelta(days=30)
    db.session.commit()
    invitations = [make_invitation(round_=round_) for _ in range(units)]
    for _invitation, link in invitations[:submitted]:
        submit(client, link)
    set_deadline(db, round_, **deadline)
    waiting = sorted(inv.unit.contact_email for inv, _ in invitations[submitted:])
    return round_, waiting


def test_reminders_at_7_and_2_days_fire_once_each_to_non_submitters(runner, client, db, smtp):
    round_, waiting = open_round_with_units(db, client, days=20)
    output = invoke(runner, "rounds", "reminders", "syksy", "--days", 7, "--days", 2)
    assert "7 days before" in output and "2 days before" in output and "planned" in output
    invoke(runner, "outbox", "work", "--once")  # the receipt; no moment has come yet
    assert reminders_to(smtp) == []

    set_deadline(db, round_, days=7, hours=-1)  # the 7-day moment passed an hour ago
    for _ in range(3):
        invoke(runner, "outbox", "work", "--once")
    assert reminders_to(smtp) == waiting
    assert records(db, round_) == {7: ("queued", 3)}

    set_deadline(db, round_, days=2, hours=-1)  # now the 2-day moment
    for _ in range(3):
        invoke(runner, "outbox", "work", "--once")
    assert reminders_to(smtp) == sorted(waiting * 2)
    assert records(db, round_) == {7: ("queued", 3), 2: ("queued", 3)}
    output = invoke(runner, "rounds", "reminders", "syksy")
    assert output.count("done, 3 reminders queued") == 2


def test_a_unit_that_submits_in_between_gets_no_second_reminder(runner, client, db, smtp):
    round_ = make_round(slug="syksy")
    round_.opened_at = utcnow() - timedelta(days=30)
    round_.reminder_days = [7, 2]
    db.session.commit()
    (first, first_link), (second, _link) = make_invitation(round_), make_invitation(round_)
    set_deadline(db, round_, days=7, hours=-1)
    invoke(runner, "outbox", "work", "--once")
    submit(client, first_link)
    set_deadline(db, round_, days=2, hours=-1)
    invoke(runner, "outbox", "work", "--once")
    receipt = smtp.to(first.unit.contact_email)[-1]
    assert receipt.message["Subject"].startswith("Vastauksesi kartoitukseen:")
    assert reminders_to(smtp) == sorted(
        [first.unit.contact_email, second.unit.contact_email, second.unit.contact_email]
    )


@pytest.mark.parametrize(
    ("hours_late", "outcome"),
    [(1, "queued"), (23, "queued"), (25, "skipped"), (24 * 10, "skipped")],
)
def test_a_moment_more_than_a_day_late_is_skipped(runner, client, db, smtp, hours_late, outcome):
    round_, waiting = open_round_with_units(db, client, submitted=0, days=14, hours=-hours_late)
    round_ = db.session.get(Round, round_.id)
    round_.reminder_days = [14]
    db.session.commit()
    invoke(runner, "outbox", "work", "--once")
    invoke(runner, "outbox", "work", "--once")
    assert reminders_to(smtp) == (waiting if outcome == "queued" else [])
    assert records(db, round_) == {14: (outcome, len(waiting) if outcome == "queued" else 0)}


def test_a_moment_that_passed_while_the_round_was_a_draft_is_not_caught_up(
    runner, client, db, smtp
):
    round_ = make_round(slug="luonnos", state="draft")
    round_.reminder_days = [7, 2]
    db.session.commit()
    make_invitation(round_=round_)
    set_deadline(db, round_, days=7, hours=-2)
    invoke(runner, "outbox", "work", "--once")
    assert records(db, round_) == {}  # a draft: nothing done, nothing recorded
    assert "passed, will be skipped" in invoke(runner, "rounds", "reminders", "luonnos")
    invoke(runner, "rounds", "open", "luonnos")
    invoke(runner, "outbox", "work", "--once")
    assert records(db, round_) == {7: ("skipped", 0)}
    assert reminders_to(smtp) == []
    assert "skipped (too late)" in invoke(runner, "rounds", "reminders", "luonnos")


@pytest.mark.parametrize("how", ["closed", "deadline passed"])
def test_no_reminders_for_a_closed_round(runner, client, db, smtp, how):
    round_, _waiting = open_round_with_units(db, client, submitted=0, days=7, hours=-1)
    round_ = db.session.get(Round, round_.id)
    round_.reminder_days = [7, 2]
    if how == "closed":
        round_.state, round_.closed_at = "closed", utcnow()
    else:
        round_.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    invoke(runner, "outbox", "work", "--once")
    assert reminders_to(smtp) == []
    assert records(db, round_) == {}


def test_rounds_create_and_reminders_commands(runner, db):
    output = invoke(
        runner,
        "rounds",
        "create",
        "kevat",
        "--title",
        "Kevät",
        "--deadline",
        f"{utcnow().year + 1}-06-14T16:00",  # at most 5 years ahead
        "--remind-days",
        2,
        "--remind-days",
        7,
        "--remind-days",
        7,
    )
    assert f"7 days before: {utcnow().year + 1}-06-07 16:00, planned" in output
    assert f"2 days before: {utcnow().year + 1}-06-12 16:00, planned" in output
    round_ = db.session.scalar(select(Round).filter_by(slug="kevat"))
    assert round_.reminder_days == [7, 2]
    assert "has no automatic reminders" in invoke(runner, "rounds", "reminders", "kevat", "--none")
    db.session.expire_all()
    assert round_.reminder_days is None
    assert "14 days before" in invoke(runner, "rounds", "reminders", "kevat", "--days", 14)
    assert "not between 1 and 365" in refused(runner, "rounds", "reminders", "kevat", "--days", 0)
    assert "not both" in refused(runner, "rounds", "reminders", "kevat", "--days", 3, "--none")
    assert "no round" in refused(runner, "rounds", "reminders", "nope", "--days", 3)
    db.session.expire_all()
    assert round_.reminder_days == [14]
    invoke(runner, "rounds", "close", "kevat")
    assert "is closed" in refused(runner, "rounds", "reminders", "kevat", "--days", 3)


def test_two_workers_at_once_queue_one_batch(app, db, client, database_url):
    """Both workers find the same moment due; the unique (round, days) row lets only
    one of them queue. The race is forced: a third transaction holds that row
    uncommitted until both workers are waiting for it, then lets go."""
    round_, waiting = open_round_with_units(db, client, days=7, hours=-1)
    round_ = db.session.get(Round, round_.id)
    round_.reminder_days = [7]
    round_id = round_.id
    db.session.commit()  # the test's session holds no transaction (no lock) from here
    apps = [make_app(database_url) for _ in range(2)]
    results, errors = [], []

    def work(worker_app):
        with worker_app.app_context():
            try:
                results.append(queue_due_reminders())
            except Exception as error:  # reported by the assertion below
                errors.append(error)
            finally:
                _db.session.remove()
                _db.engine.dispose()

    threads = [threading.Thread(target=work, args=(a,)) for a in apps]
    with db.engine.connect() as blocker:
        blocker.execute(
            insert(RoundReminder.__table__).values(
                round_id=round_id, days_before=7, due_at=utcnow(), outcome="queued", queued=0
            )
        )
        for thread in threads:
            thread.start()
        _wait_until_both_wait(blocker, db.engine.dialect.name)
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(len(result) for result in results) == [0, 1]
    reminders = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).filter_by(kind="reminder")
    )
    assert reminders == len(waiting)
    assert records(db, round_) == {7: ("queued", len(waiting))}


def _wait_until_both_wait(connection, dialect: str) -> None:
    if dialect != "postgresql":
        time.sleep(0.5)  # SQLite: they wait for the write lock; nothing to ask
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.engine.connect() as probe:
            if probe.scalar(query) >= 2:
                return
        time.sleep(0.05)
    raise AssertionError("the two workers never waited for the same reminder")


def test_reminder_moments_keep_the_helsinki_clock_across_summer_time():
    deadline = parse_local("2027-04-02T16:00")  # summer time; a week earlier is winter time
    assert format_local(reminder_moment(deadline, 7)) == "2027-03-26 16:00"
