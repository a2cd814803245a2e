"""A closed round's numbers never change (BRIEF.md, "Rounds keep their history").

Each invitation keeps the unit as it was for its round: the roster may change after the
round closed (a unit added, moved to another field or region, made active, taken off),
and the closed round's counts, report, exports, API, dashboard and region scoping stay
as they were, while an open round follows the roster.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey_app.models import Invitation, Unit
from survey_app.models.types import utcnow
from survey_app.results.aggregate import round_results
from survey_app.rounds.services import extend_deadline
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, invoke, login

ROSTER_HEADER = "code,name,field,status,region,municipality,contact_name,contact_email,language"


@pytest.fixture
def history(db, runner):
    """Round "syksy" closed in September with 4 units of Itä-Suomi (3 submitted), and
    "kevat" open with the same units; admins for the nation, Itä-Suomi and Lappi."""
    closed = make_round(slug="syksy", deadline=utcnow() + timedelta(days=7))
    current = make_round(slug="kevat", deadline=utcnow() + timedelta(days=30))
    units = [
        make_unit(code="A", field="Vanhusten palvelut", status="preparing"),
        make_unit(code="B", field="Vanhusten palvelut"),
        make_unit(code="C", field="Lastensuojelu"),
        make_unit(code="D", field="Lastensuojelu"),
    ]
    for unit in units:
        for round_ in (closed, current):
            invitation, _link = make_invitation(round_=round_, unit=unit)
            if unit.code != "D":
                make_response(invitation, {"k1_1": "yes"})
    closed.state = "closed"
    closed.closed_at = closed.deadline = datetime(2026, 9, 15, 12, tzinfo=UTC)
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    make_unit(code="L0", region="Lappi")  # a Lappi unit, so that a Lappi admin can be made
    db.session.commit()
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    return closed, current


def numbers(round_) -> tuple:
    results = round_results(round_)
    return results["invited"], results["responded"], results["units"]


def import_roster(runner, tmp_path, *rows):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([ROSTER_HEADER, *rows]) + "\n", encoding="utf-8")
    invoke(runner, "units", "import", path)


def test_links_on_a_closed_round_make_no_invitations(db, runner, history):
    """`links` on a closed round used to invite the units added since: 58 → 63 invited."""
    closed, _current = history
    before = numbers(closed)
    for number in range(5):
        make_unit(code=f"NEW{number}")
    db.session.commit()
    result = runner.invoke(args=["invitations", "links", "syksy"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("/r/") == 4  # the links it had, no new ones
    assert "(0 new invitations)" in result.stderr
    assert "6 units of the roster have none" in result.stderr  # 5 new and L0
    assert numbers(closed) == before
    invited = db.session.scalars(select(Invitation).filter_by(round_id=closed.id)).all()
    assert len(invited) == 4


def test_roster_edits_change_an_open_round_but_never_a_closed_one(
    db, runner, client, history, tmp_path
):
    closed, current = history
    before = numbers(closed)
    assert before[2]["by_field"]["Vanhusten palvelut"] == {"active": 1, "preparing": 1}
    # A made active and moved to Lappi, B renamed, C taken off the roster (deactivated).
    import_roster(
        runner,
        tmp_path,
        "A,Uusi nimi,Vanhusten palvelut,active,Lappi,Rovaniemi,X,a@kehy.fi,fi",
    )
    login(client, "paa@example.fi")
    assert client.post("/admin/units/C/deactivate", data=_csrf(client)).status_code == 303
    db.session.expire_all()

    assert numbers(closed) == before  # 4 invited, 3 responded, A still preparing here
    invited, responded, units = numbers(current)
    assert (invited, responded) == (3, 2)  # C is no longer counted in the open round
    assert units["by_region"]["Lappi"] == {"active": 1, "preparing": 0}
    assert units["by_field"]["Vanhusten palvelut"] == {"active": 2, "preparing": 0}

    report = client.get("/admin/rounds/syksy/report").get_data(as_text=True)
    assert "Vanhusten palvelut 1 (+&nbsp;1)" in report
    export = client.get("/admin/rounds/syksy/export.csv").get_data(as_text=True)
    assert "Uusi nimi" not in export and export.count("Itä-Suomi") == 3


def test_a_closed_round_is_scoped_by_the_region_its_units_had(db, runner, client, history, app):
    closed, _current = history
    unit = db.session.scalar(select(Unit).filter_by(code="B"))
    unit.region = "Lappi"  # moved by other means after the round closed
    db.session.commit()
    ita, lappi = app.test_client(), app.test_client()
    login(ita, "ita@example.fi")
    login(lappi, "lappi@example.fi")
    ita_json = ita.get("/admin/rounds/syksy/export.json").get_json()
    lappi_json = lappi.get("/admin/rounds/syksy/export.json").get_json()
    assert (ita_json["invited"], ita_json["responded"]) == (4, 3)
    assert (lappi_json["invited"], lappi_json["responded"]) == (0, 0)
    start = lappi.get("/admin/").get_data(as_text=True)
    assert "syksy" in start
    dashboard = ita.get("/admin/rounds/syksy").get_data(as_text=True)
    assert "B" in dashboard


def test_the_report_is_dated_by_its_round_not_by_the_day_it_is_read(client, history):
    login(client, "paa@example.fi")
    report = client.get("/admin/rounds/syksy/report").get_data(as_text=True)
    assert "Kehittämisyksiköt toimialoittain (syyskuu 2026)" in report
    assert "15.9.2026" in report  # "Numbers as of" the close


def test_an_extended_round_follows_the_roster_again(db, runner, history, tmp_path):
    """A round that closed itself at its deadline keeps its units as they were; when the
    deadline is extended it takes answers again and follows the roster again."""
    _closed, current = history
    current.deadline = utcnow() - timedelta(hours=1)  # it closed itself
    db.session.commit()
    import_roster(
        runner, tmp_path, "A,Uusi nimi,Vanhusten palvelut,active,Lappi,Rovaniemi,X,a@kehy.fi,fi"
    )
    assert "Lappi" not in numbers(current)[2]["by_region"]
    extend_deadline(current, utcnow() + timedelta(days=10))  # as the manage page does
    db.session.commit()
    assert numbers(current)[2]["by_region"]["Lappi"] == {"active": 1, "preparing": 0}


def _csrf(client) -> dict:
    from tests.helpers import CSRF_RE

    page = client.get("/admin/units/C/edit").get_data(as_text=True)
    return {"csrf_token": CSRF_RE.search(page).group(1)}
