"""Two saves of the same response at the same moment queue; they never deadlock.

The race is forced, not hoped for: each save stops right after it has taken its lock on
the invitation row and goes on only when the other save has reached the same point too,
or is seen (from a third connection) waiting for that lock. Taking the lock shared let
both through, and both then wanted to update the row: PostgreSQL found a deadlock and
one request answered 500. Taken exclusively, the second save waits, reads what the
first committed, and is refused as a conflict (or recognised as the same submit).
"""

import threading

from sqlalchemy import event, select, text

from survey_app.extensions import db as _db
from survey_app.models import Invitation, Response, SubmittedVersion
from survey_app.respond import services
from tests.factories import make_invitation
from tests.helpers import make_app

WAIT_SECONDS = 30


class LockRendezvous:
    """Holds each save just after its lock statement on `invitations` until the other
    save has got there too, or is blocked waiting for a lock."""

    def __init__(self, observer_url: str):
        self.arrived = 0
        self.changed = threading.Condition()
        self.observer = make_app(observer_url)

    def watch(self, engine) -> None:
        event.listen(engine, "after_cursor_execute", self._after)

    def _after(self, _conn, _cursor, statement, *_args) -> None:
        if "FROM invitations" not in statement or " FOR " not in statement:
            return
        with self.changed:
            self.arrived += 1
            self.changed.notify_all()
        for _ in range(WAIT_SECONDS * 20):
            with self.changed:
                if self.arrived >= 2 or self._someone_waits_for_a_lock():
                    return
                self.changed.wait(0.05)
        raise AssertionError("the other save neither arrived nor waited for the lock")

    def _someone_waits_for_a_lock(self) -> bool:
        with self.observer.app_context():
            waiting = _db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            )
            _db.session.remove()
        return bool(waiting)


def test_two_saves_of_one_response_at_once_queue_instead_of_deadlocking(postgresql_url):
    database_url = postgresql_url
    setup = make_app(database_url)
    with setup.app_context():
        invitation, _link = make_invitation()
        invitation_id = invitation.id
        _db.session.remove()
    workers = [make_app(database_url) for _ in range(2)]
    rendezvous = LockRendezvous(database_url)
    for worker in workers:
        with worker.app_context():
            rendezvous.watch(_db.engine)
    results: dict[int, object] = {}

    def save(number: int) -> None:
        with workers[number].app_context():
            try:
                own = _db.session.get(Invitation, invitation_id)
                outcome = services.save_answers(
                    own,
                    {"k1_1": ["yes" if number else "no"]},
                    submit=True,
                    language="fi",
                    expected_version=0,
                    submission_key=f"key-{number}",
                )
                _db.session.commit()
                results[number] = "submitted" if outcome.submitted else "saved"
            except services.VersionConflict:
                _db.session.rollback()
                results[number] = "conflict"
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                _db.session.rollback()
                results[number] = error
            finally:
                _db.session.remove()
                _db.engine.dispose()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS * 2)
    assert rendezvous.arrived == 2  # both saves got to the lock: the race was run
    assert sorted(map(str, results.values())) == ["conflict", "submitted"], results
    with setup.app_context():
        assert _db.session.scalar(select(Response).filter_by(invitation_id=invitation_id))
        assert len(_db.session.scalars(select(SubmittedVersion)).all()) == 1
        assert _db.session.get(Invitation, invitation_id).submitted_at is not None
        _db.session.remove()
        _db.engine.dispose()
    with rendezvous.observer.app_context():
        _db.engine.dispose()
