"""The CSV export reads the responses and their answers as two streams side by side: a
unit that submits between the two statements must not shift every later unit's
answers. A forced race on PostgreSQL, whose default isolation gives each statement its
own view of the data (SQLite's transaction is one snapshot already)."""

from sqlalchemy import event

from survey_app.extensions import db as _db
from survey_app.models import Invitation, Round, Unit
from survey_app.results.exports import response_rows
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import make_app


def test_a_submit_between_the_two_streams_shifts_no_answers(postgresql_url):
    setup = make_app(postgresql_url)
    with setup.app_context():
        round_ = make_round(slug="kesken")
        for code, value in (("B1", "yes"), ("C1", "no")):
            invitation, _link = make_invitation(round_=round_, unit=make_unit(code=code))
            make_response(invitation, {"k1_1": value})
        latecomer, _link = make_invitation(round_=round_, unit=make_unit(code="A1"))
        latecomer_id = latecomer.id
        _db.session.remove()
        _db.engine.dispose()

    other = make_app(postgresql_url)

    def submit_latecomer() -> None:
        """Another worker commits A1's submission, which sorts before every unit."""
        with other.app_context():
            make_response(_db.session.get(Invitation, latecomer_id), {"k1_1": "planned"})
            _db.session.remove()
            _db.engine.dispose()

    exporter = make_app(postgresql_url)
    with exporter.app_context():
        seen = []

        def between(_connection, _cursor, statement, *_args):
            if "answers.item_code" in statement and "FROM answers" in statement and not seen:
                seen.append(statement)
                submit_latecomer()  # after the responses' statement, before the answers'

        event.listen(_db.engine, "before_cursor_execute", between)
        try:
            round_ = _db.session.query(Round).filter_by(slug="kesken").one()
            rows = list(response_rows(round_))
        finally:
            event.remove(_db.engine, "before_cursor_execute", between)
        codes = [item.code for item in round_.items]
        k1_1 = 6 + codes.index("k1_1")
        assert seen, "the race was not run"
        assert [(row[0], row[k1_1]) for row in rows] == [("B1", "yes"), ("C1", "no")]
        assert _db.session.query(Unit).count() == 3
        _db.session.remove()
        _db.engine.dispose()
