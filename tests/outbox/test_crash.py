"""Worker processes killed mid-batch lose nothing; two workers never share a message.

Real processes (`flask outbox work`), a real SMTP server, SIGKILL.
"""

import collections
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.invitations.mailing import queue_invitations, queue_reminders
from survey_app.models import OutboxMessage
from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_round, make_unit

pytestmark = pytest.mark.slow

MESSAGES = 1000
UNITS = 200  # an invitation and four reminders each


@pytest.fixture
def thousand_messages(db):
    round_ = make_round()
    for _ in range(UNITS):
        make_invitation(round_=round_, unit=make_unit())
    queue_invitations(round_)
    for _ in range(MESSAGES // UNITS - 1):
        queue_reminders(round_)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == MESSAGES
    message_ids = set(db.session.scalars(select(OutboxMessage.message_id)))
    db.session.rollback()  # end the read: on SQLite a transaction holds the write lock
    return message_ids


def start_worker(database_url, smtp, log_path, *extra):
    env = {
        **os.environ,
        "SURVEY_APP_ENV": "testing",
        "TEST_DATABASE_URL": database_url,
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "OUTBOX_LEASE_SECONDS": "300",
    }
    command = [sys.executable, "-m", "flask", "--app", "survey_app", "outbox", "work"]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [*command, "--batch-size", "25", "--poll", "0.2", *extra],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def finish(worker, log_path) -> str:
    worker.wait(timeout=120)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert worker.returncode == 0, output
    return output


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def test_a_worker_killed_several_times_loses_nothing(
    database_url, smtp, thousand_messages, db, tmp_path
):
    kills = 0
    for target in (120, 330, 540, 760):
        log = tmp_path / f"killed-{target}.log"
        worker = start_worker(database_url, smtp, log)
        try:
            wait_until(
                lambda t=target: len(smtp.received) >= t,
                180,
                lambda t=target, w=worker, lg=log: (
                    f"{t} deliveries (have {len(smtp.received)}, worker exit {w.poll()}): "
                    + lg.read_text(errors="replace")[-3000:]
                ),
            )
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        kills += 1
    finish(
        start_worker(database_url, smtp, tmp_path / "finisher.log", "--once"),
        tmp_path / "finisher.log",
    )

    delivered = collections.Counter(message.message_id for message in smtp.received)
    assert set(delivered) == thousand_messages  # every message arrived
    duplicates = sum(count - 1 for count in delivered.values())
    # The stated window: only a message accepted by the server but not yet marked sent
    # when the worker died goes out twice, with the same Message-ID: one per kill at most.
    assert duplicates <= kills
    db.session.expire_all()
    statuses = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    assert statuses == [("sent", MESSAGES)]


def test_two_workers_never_send_the_same_message(
    database_url, smtp, thousand_messages, db, tmp_path
):
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = [start_worker(database_url, smtp, log, "--once") for log in logs]
    outputs = [finish(worker, log) for worker, log in zip(workers, logs, strict=True)]
    delivered = collections.Counter(message.message_id for message in smtp.received)
    assert set(delivered) == thousand_messages
    assert max(delivered.values()) == 1
    # both really worked: the batches were shared, not taken by one worker alone
    sent_counts = [int(output.split("Sent ")[1].split(" ")[0]) for output in outputs]
    assert sum(sent_counts) == MESSAGES
    assert min(sent_counts) > 0, sent_counts


def test_a_batch_renews_its_claim_and_skips_what_another_worker_took(app, db, runner, smtp):
    """Whenever half the lease has passed the rest of the batch is claimed again; a
    message whose claim had run out and that another worker took is left to it."""
    from survey_app.outbox import delivery
    from survey_app.outbox.worker import Worker

    round_ = make_round()
    for _ in range(3):
        make_invitation(round_=round_, unit=make_unit())
    runner.invoke(args=["invitations", "send", round_.slug])
    first, second = Worker(batch_size=3), Worker(batch_size=3)
    ids = first.claim()
    assert len(ids) == 3
    taken = db.session.get(OutboxMessage, ids[1])
    taken.claimed_until = utcnow() - timedelta(seconds=1)  # the first worker's claim ran out
    db.session.commit()
    assert second.claim() == [ids[1]]
    kept = delivery.renew_claims(ids, first.name, first.lease)
    assert kept == [ids[0], ids[2]]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, ids[0]).claimed_until > utcnow()
    # A lease so short that every message finds half of it gone: renewed each time,
    # and nothing is lost or skipped.
    app.config["OUTBOX_LEASE_SECONDS"] = 0.0001
    result = first.send_batch(kept)
    assert (result.sent, result.skipped) == (2, 0)
    assert second.send_batch([ids[1]]).sent == 1
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(
        row.to_address for row in db.session.scalars(select(OutboxMessage))
    )
