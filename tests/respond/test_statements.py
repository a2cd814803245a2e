"""The respondent's pages take a fixed, small number of SQL statements, whatever the
questionnaires and however many units the round has: the page every unit opens is the
one that has to be fast (issue 13: at most 4 for a GET, 10 for a submit).

BEGIN, SAVEPOINT and RELEASE are not counted: they are transaction control, not work."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import form_fields

CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@contextmanager
def counting(db):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(CONTROL):
            statements.append(statement.split("\n")[0][:120])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def a_round_with_others(db):
    round_ = make_round()
    for _ in range(20):  # other units of the round: they must not cost anything
        make_invitation(round_=round_, unit=make_unit())
    invitation, link = make_invitation(round_=round_)
    db.session.commit()
    return invitation, link


def test_opening_the_form_takes_at_most_four_statements(client, db):
    invitation, link = a_round_with_others(db)
    client.get(link)  # the first open is recorded once; this measures every later one
    make_response(invitation, {"k1_1": "yes", "kehy_name": "Nimi"})
    with counting(db) as statements:
        page = client.get(link)
    assert page.status_code == 200
    assert len(statements) <= 4, "\n".join(statements)


def test_a_form_not_yet_answered_takes_one_statement(client, db):
    """The link, the unit's response (none yet) and whether it submitted in an earlier
    round (it did not) come in one query: each statement is a round trip on
    PostgreSQL."""
    _invitation, link = a_round_with_others(db)
    client.get(link)  # the first open is recorded once; this measures every later one
    with counting(db) as statements:
        page = client.get(link)
    assert page.status_code == 200
    assert len(statements) == 1, "\n".join(statements)


def test_a_form_started_from_an_earlier_round_takes_two_statements(client, db):
    """The same query, then the earlier submission's answers: they fill the form."""
    invitation, link = a_round_with_others(db)
    # Open still (a save needs it), but ending before this one: the earlier round.
    earlier = make_round(slug="syksy", deadline=invitation.round.deadline - timedelta(days=7))
    earlier_invitation, _ = make_invitation(round_=earlier, unit=invitation.unit)
    make_response(earlier_invitation, {"kehy_mission": "Aiempi ajatus"})
    db.session.commit()
    client.get(link)
    with counting(db) as statements:
        page = client.get(link)
    assert page.status_code == 200 and "Aiempi ajatus" in page.get_data(as_text=True)
    assert len(statements) == 2, "\n".join(statements)


WRITING = ("UPDATE", "INSERT", "DELETE", "SAVEPO", "RELEAS")  # first six letters


def test_on_postgresql_the_form_reads_outside_a_transaction(client, db):
    """On PostgreSQL the page's reads run in autocommit, sparing the round trips of
    BEGIN and ROLLBACK (database.read_outside_a_transaction); the first open's write
    still runs in a transaction, as does counting a wrong link (its savepoint would
    fail outside one). SQLite reads in its deferred transaction, as every page does."""
    _invitation, link = a_round_with_others(db)
    postgresql = db.engine.dialect.name == "postgresql"
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, *_args):
        dbapi = conn.connection.dbapi_connection
        in_transaction = not dbapi.autocommit if postgresql else dbapi.in_transaction
        seen.append((statement.lstrip()[:6].upper(), in_transaction))

    def visit(path: str, **post) -> tuple[int, list[bool], list[bool]]:
        # The test's app context (and its session) outlives each request: what one
        # request began must end with it, or the next would go on in it.
        seen.clear()
        status = (client.post(path, data=post) if post else client.get(path)).status_code
        reads = [in_transaction for verb, in_transaction in seen if verb == "SELECT"]
        writes = [in_transaction for verb, in_transaction in seen if verb in WRITING]
        return status, reads, writes

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        status, first_reads, first_writes = visit(link)  # the first open writes
        assert status == 200 and first_writes and all(first_writes)
        assert first_reads[0] is not postgresql
        status, later_reads, later_writes = visit(link)
        assert status == 200 and later_reads and not later_writes
        assert not any(later_reads) if postgresql else all(later_reads)
        status, _reads, counted = visit("/r/" + "W" * 43)  # a savepoint among them
        assert status == 404 and counted and all(counted)
        visit(link)  # a save right after a page view still locks and writes in one
        fields = form_fields(client.get(link).get_data(as_text=True))
        status, locks, saved = visit(link, **fields, action="save", k1_1="yes")
        assert status == 303 and saved and all(saved) and all(locks)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_a_submit_takes_at_most_ten_statements(client, db):
    invitation, link = a_round_with_others(db)
    make_response(invitation, {"k1_1": "no"}, submit=False)  # a draft saved before
    fields = form_fields(client.get(link).get_data(as_text=True))
    answers = {"k1_1": "yes", "k2_1": "planned", "kehy_name": "Nimi", "kehy_mission": "Ajatus"}
    with counting(db) as statements:
        done = client.post(link, data={**fields, "action": "submit", **answers})
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    assert len(statements) <= 10, "\n".join(statements)


def test_no_visit_writes_a_cookie(client, db):
    """The form's key is derived from its link (respond/form_key.py), so no visit, not
    even the first, gets a session cookie (signing one for every visitor without one
    cost a sixth of the page's time; and Flask-Login used to clear a "remember me"
    cookie on each: no login loads on a respondent's page). The form still posts."""
    _invitation, link = a_round_with_others(db)
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200
        assert page.headers.getlist("Set-Cookie") == []
    fields = form_fields(page.get_data(as_text=True))
    saved = client.post(link, data={**fields, "action": "save", "k1_1": "yes"})
    assert saved.status_code == 303
