"""`flask rounds ...` and `flask invitations links ...` against a real database."""

import base64
import csv
import io
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from survey_app import tokens
from survey_app.extensions import db as _db
from survey_app.invitations.services import reissue_token
from survey_app.models import Invitation, QuestionnaireVersion, Response, Round, Unit
from survey_app.models.types import utcnow
from survey_app.questionnaires import registry
from survey_app.timeutil import HELSINKI
from tests.factories import make_round, make_unit
from tests.helpers import form_fields, make_app

OLD_KEY = "testing-secret-key-not-for-production"  # TestingConfig.SECRET_KEY
LINK_RE = re.compile(r"^http://localhost/r/[A-Za-z0-9_-]{43}$")
# Next year: deadlines may be at most rounds.services.YEARS_AHEAD_MAX years ahead.
YEAR = datetime.now(UTC).year + 1
FUTURE = f"{YEAR}-01-15T16:00"


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def create(runner, slug="kevat-2099", *extra, title="Kevään kartoitus", deadline=FUTURE):
    # the slug goes after "--" so that a bad one like "-x" reaches the command itself
    return invoke(
        runner, "rounds", "create", "--title", title, "--deadline", deadline, *extra, "--", slug
    )


def round_by_slug(db, slug):
    db.session.expire_all()
    return db.session.scalar(select(Round).filter_by(slug=slug))


def round_count(db):
    return db.session.scalar(select(func.count()).select_from(Round))


def invitation_count(db):
    return db.session.scalar(select(func.count()).select_from(Invitation))


def failed(result, *fragments):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: ")
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result


# --- rounds create ------------------------------------------------------------------------


def test_create_round_in_draft_with_both_questionnaires(runner, db):
    result = create(runner)
    assert result.exit_code == 0, result.output
    assert "Created round kevat-2099 (draft)" in result.output
    assert "criteria v2" in result.output and "kehy v2" in result.output
    round_ = round_by_slug(db, "kevat-2099")
    assert round_.title == "Kevään kartoitus"
    assert round_.state == "draft"
    assert round_.opened_at is None and round_.closed_at is None
    assert [(v.key, v.version) for v in round_.questionnaire_versions] == [
        ("criteria", 2),
        ("kehy", 2),
    ]


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        (f"{YEAR}-01-15T16:00", datetime(YEAR, 1, 15, 14, 0, tzinfo=UTC)),  # EET, UTC+2
        (f"{YEAR}-07-15T16:00", datetime(YEAR, 7, 15, 13, 0, tzinfo=UTC)),  # EEST, UTC+3
        (f"{YEAR}-12-31T23:59", datetime(YEAR, 12, 31, 21, 59, tzinfo=UTC)),
        (f"{YEAR}-01-01T00:30", datetime(YEAR - 1, 12, 31, 22, 30, tzinfo=UTC)),  # day before
    ],
)
def test_deadline_is_helsinki_time_stored_as_utc(runner, db, typed, utc):
    result = create(runner, deadline=typed)
    assert result.exit_code == 0, result.output
    assert f"deadline {typed.replace('T', ' ')} Europe/Helsinki" in result.output
    assert round_by_slug(db, "kevat-2099").deadline == utc
    # and the column itself holds that UTC wall time, whatever the database
    raw = db.session.execute(text("SELECT deadline FROM rounds")).scalar_one()
    if isinstance(raw, str):  # SQLite keeps text
        raw = datetime.fromisoformat(raw)
    assert raw.replace(tzinfo=None) == utc.replace(tzinfo=None)


@pytest.mark.parametrize(
    "deadline",
    [
        "2099-12-31",
        "31.12.2099 16:00",
        "2099-12-31 16:00",
        "2099-12-31T16:00:00",
        "2099-13-01T10:00",
        "2099-02-30T10:00",
        "2099-12-31T24:00",
        "tomorrow",
        "",
    ],
)
def test_bad_deadline_format(runner, db, deadline):
    result = create(runner, deadline=deadline)
    failed(result, "--deadline", "YYYY-MM-DDTHH:MM")
    assert round_count(db) == 0


def test_past_deadline(runner, db):
    failed(create(runner, deadline="2020-01-15T16:00"), "deadline", "future")
    just_passed = (utcnow() - timedelta(minutes=5)).astimezone(HELSINKI)
    failed(create(runner, deadline=just_passed.strftime("%Y-%m-%dT%H:%M")), "future")
    assert round_count(db) == 0


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59", f"{YEAR + 5}-12-31T16:00"])
def test_a_deadline_too_far_ahead_is_refused(runner, db, deadline):
    failed(create(runner, deadline=deadline), "deadline", "at most 5 years ahead")
    assert round_count(db) == 0


def test_a_deadline_out_of_the_calendar_is_a_format_error(runner, db):
    # Year 1 in Helsinki time is before the first UTC moment Python can hold.
    failed(create(runner, deadline="0001-01-01T00:00"), "--deadline", "YYYY-MM-DDTHH:MM")
    assert round_count(db) == 0


def test_duplicate_slug(runner, db):
    assert create(runner).exit_code == 0
    failed(create(runner, title="Toinen"), "kevat-2099", "exists")
    assert round_count(db) == 1
    assert round_by_slug(db, "kevat-2099").title == "Kevään kartoitus"


@pytest.mark.parametrize(
    "slug", ["Kevat-2099", "kevät-2099", "kevat 2099", "-kevat", "kevat_2099", "k" * 101, ""]
)
def test_bad_slug(runner, db, slug):
    failed(create(runner, slug), "slug")
    assert round_count(db) == 0


def test_the_slug_of_the_new_round_page_is_reserved(runner, db):
    failed(create(runner, "new"), "slug", "reserved")
    assert round_count(db) == 0


def test_empty_title(runner, db):
    failed(create(runner, title="   "), "title")
    assert round_count(db) == 0


def test_too_long_title_is_refused_not_a_database_error(runner, db):
    failed(create(runner, title="t" * 301), "title", "300")
    assert round_count(db) == 0
    assert create(runner, title="t" * 300).exit_code == 0


def test_unknown_questionnaire(runner, db):
    result = create(runner, "kevat-2099", "--questionnaire", "criteria", "--questionnaire", "nope")
    failed(result, "unknown questionnaire", "nope", "available: criteria, kehy")
    assert round_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 0


def test_one_named_questionnaire(runner, db):
    result = create(runner, "kevat-2099", "--questionnaire", "kehy")
    assert result.exit_code == 0, result.output
    versions = round_by_slug(db, "kevat-2099").questionnaire_versions
    assert [(v.key, v.version) for v in versions] == [("kehy", 2)]


def test_missing_options_are_usage_errors(runner, db):
    assert invoke(runner, "rounds", "create", "x", "--deadline", FUTURE).exit_code == 2
    assert invoke(runner, "rounds", "create", "x", "--title", "T").exit_code == 2
    assert round_count(db) == 0


# --- pinned questionnaire versions ---------------------------------------------------------


def shipped_copy(tmp_path, monkeypatch):
    folder = tmp_path / "definitions"
    folder.mkdir()
    for path in registry.DEFINITIONS_DIR.glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(registry, "DEFINITIONS_DIR", folder)
    return folder


def test_round_pins_the_versions_it_was_created_with(runner, db, client, tmp_path, monkeypatch):
    folder = shipped_copy(tmp_path, monkeypatch)
    assert create(runner, "syksy-2098").exit_code == 0
    assert create(runner, "kevat-2099").exit_code == 0
    # Two rounds on the same definitions share the stored versions.
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2
    first = round_by_slug(db, "syksy-2098")
    pinned_ids = [v.id for v in first.questionnaire_versions]
    assert pinned_ids == [v.id for v in round_by_slug(db, "kevat-2099").questionnaire_versions]

    # A new version of the criteria questionnaire is shipped.
    source = (folder / "criteria-v2.yaml").read_text(encoding="utf-8")
    assert "version: 2\n" in source
    changed = source.replace("version: 2\n", "version: 3\n").replace(
        "fi: Toimintarakenne on verkostoitunut", "fi: Toimintarakenne on verkostoitunut (v3)"
    )
    (folder / "criteria-v3.yaml").write_text(changed, encoding="utf-8")

    assert create(runner, "syksy-2099").exit_code == 0
    later = round_by_slug(db, "syksy-2099")
    assert [(v.key, v.version) for v in later.questionnaire_versions] == [
        ("criteria", 3),
        ("kehy", 2),
    ]
    first = round_by_slug(db, "syksy-2098")
    assert [v.id for v in first.questionnaire_versions] == pinned_ids
    assert [(v.key, v.version) for v in first.questionnaire_versions] == [
        ("criteria", 2),
        ("kehy", 2),
    ]
    stored = db.session.execute(
        select(QuestionnaireVersion.key, QuestionnaireVersion.version).order_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version
        )
    ).all()
    assert stored == [("criteria", 2), ("criteria", 3), ("kehy", 2)]

    # What each round's respondents see follows its pinned version.
    unit = make_unit()
    db.session.commit()
    for slug in ("syksy-2098", "syksy-2099"):
        assert invoke(runner, "rounds", "open", slug).exit_code == 0
    old_page = client.get(links_of(runner, "syksy-2098")[unit.code]).get_data(as_text=True)
    new_page = client.get(links_of(runner, "syksy-2099")[unit.code]).get_data(as_text=True)
    assert "Toimintarakenne on verkostoitunut" in old_page and "(v3)" not in old_page
    assert "Toimintarakenne on verkostoitunut (v3)" in new_page


def test_definition_edited_without_a_new_version_is_refused(runner, db, tmp_path, monkeypatch):
    folder = shipped_copy(tmp_path, monkeypatch)
    assert create(runner, "syksy-2098").exit_code == 0
    path = folder / "criteria-v2.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Toimintarakenne", "Rakenne"), encoding="utf-8"
    )
    failed(create(runner, "kevat-2099"), "criteria version 2 differs", "raise `version`")
    assert round_by_slug(db, "kevat-2099") is None
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2


# --- rounds open / close --------------------------------------------------------------------


def test_open_and_close(runner, db):
    assert create(runner).exit_code == 0
    opened = invoke(runner, "rounds", "open", "kevat-2099")
    assert opened.exit_code == 0, opened.output
    assert "Opened round kevat-2099" in opened.output
    assert f"{YEAR}-01-15 16:00" in opened.output
    round_ = round_by_slug(db, "kevat-2099")
    assert round_.state == "open"
    assert round_.opened_at is not None and round_.opened_at <= utcnow()

    failed(invoke(runner, "rounds", "open", "kevat-2099"), "open already")

    closed = invoke(runner, "rounds", "close", "kevat-2099")
    assert closed.exit_code == 0, closed.output
    assert "Closed round kevat-2099" in closed.output
    round_ = round_by_slug(db, "kevat-2099")
    assert round_.state == "closed"
    assert round_.closed_at is not None and round_.closed_at <= utcnow()
    assert round_.effective_state() == "closed"


def test_closed_round_cannot_be_opened_again(runner, db):
    assert create(runner).exit_code == 0
    assert invoke(runner, "rounds", "open", "kevat-2099").exit_code == 0
    assert invoke(runner, "rounds", "close", "kevat-2099").exit_code == 0
    failed(invoke(runner, "rounds", "open", "kevat-2099"), "closed", "cannot be opened again")
    assert round_by_slug(db, "kevat-2099").state == "closed"
    failed(invoke(runner, "rounds", "close", "kevat-2099"), "closed already")


def test_a_draft_round_can_be_closed_and_then_not_opened(runner, db):
    assert create(runner).exit_code == 0
    assert invoke(runner, "rounds", "close", "kevat-2099").exit_code == 0
    failed(invoke(runner, "rounds", "open", "kevat-2099"), "cannot be opened again")


@pytest.mark.parametrize("command", ["open", "close"])
def test_unknown_slug(runner, db, command):
    failed(invoke(runner, "rounds", command, "ei-ole"), "no round with slug 'ei-ole'")


def test_round_whose_deadline_passed_in_draft_cannot_be_opened(runner, db, monkeypatch):
    assert create(runner).exit_code == 0
    deadline = round_by_slug(db, "kevat-2099").deadline
    import survey_app.rounds.services as round_services

    monkeypatch.setattr(round_services, "utcnow", lambda: deadline + timedelta(minutes=1))
    failed(invoke(runner, "rounds", "open", "kevat-2099"), "deadline in the past")
    assert round_by_slug(db, "kevat-2099").state == "draft"


def test_closing_after_the_deadline_records_the_deadline(runner, db, monkeypatch):
    assert create(runner).exit_code == 0
    assert invoke(runner, "rounds", "open", "kevat-2099").exit_code == 0
    deadline = round_by_slug(db, "kevat-2099").deadline
    import survey_app.rounds.services as round_services

    monkeypatch.setattr(round_services, "utcnow", lambda: deadline + timedelta(days=2))
    assert invoke(runner, "rounds", "close", "kevat-2099").exit_code == 0
    assert round_by_slug(db, "kevat-2099").closed_at == deadline


# --- the round closes itself at its deadline ----------------------------------------------


def test_effective_state_follows_the_deadline(runner, db):
    assert create(runner).exit_code == 0
    round_ = round_by_slug(db, "kevat-2099")
    deadline = round_.deadline
    assert round_.effective_state(now=deadline - timedelta(days=1)) == "draft"
    assert round_.effective_state(now=deadline + timedelta(days=1)) == "draft"
    assert invoke(runner, "rounds", "open", "kevat-2099").exit_code == 0
    round_ = round_by_slug(db, "kevat-2099")
    assert round_.effective_state(now=deadline - timedelta(seconds=1)) == "open"
    assert round_.accepts_answers(now=deadline - timedelta(seconds=1))
    assert round_.effective_state(now=deadline) == "closed"
    assert not round_.accepts_answers(now=deadline)
    assert round_.effective_state(now=deadline + timedelta(days=30)) == "closed"
    assert round_.state == "open"  # no process had to run


def test_respondent_post_after_the_deadline_is_refused(runner, db, client, monkeypatch):
    unit = make_unit()
    db.session.commit()
    assert create(runner).exit_code == 0
    assert invoke(runner, "rounds", "open", "kevat-2099").exit_code == 0
    link = links_of(runner, "kevat-2099")[unit.code]
    page = client.get(link)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True))

    deadline = round_by_slug(db, "kevat-2099").deadline
    import survey_app.models.round as round_model

    monkeypatch.setattr(round_model, "utcnow", lambda: deadline + timedelta(seconds=1))
    refused = client.post(link, data={**fields, "action": "submit", "k1_1": "yes"})
    assert 400 <= refused.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert round_by_slug(db, "kevat-2099").state == "open"
    closed_page = client.get(link)
    assert closed_page.status_code == 200
    assert "<form" not in closed_page.get_data(as_text=True)

    # one second before the deadline the same post is taken
    monkeypatch.setattr(round_model, "utcnow", lambda: deadline - timedelta(seconds=1))
    taken = client.post(link, data={**fields, "action": "submit", "k1_1": "yes"})
    assert taken.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_post_to_a_closed_round_is_refused(runner, db, client):
    unit = make_unit()
    db.session.commit()
    assert create(runner).exit_code == 0
    assert invoke(runner, "rounds", "open", "kevat-2099").exit_code == 0
    link = links_of(runner, "kevat-2099")[unit.code]
    fields = form_fields(client.get(link).get_data(as_text=True))
    assert invoke(runner, "rounds", "close", "kevat-2099").exit_code == 0
    refused = client.post(link, data={**fields, "action": "save", "k1_1": "yes"})
    assert 400 <= refused.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


# --- invitations links --------------------------------------------------------------------


def read_links(output: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(output)))
    assert rows[0] == ["code", "contact_email", "link"]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def links_of(runner, slug) -> dict[str, str]:
    result = invoke(runner, "invitations", "links", slug)
    assert result.exit_code == 0, result.output
    return {row["code"]: row["link"] for row in read_links(result.stdout)}


@pytest.fixture
def roster(db):
    units = [
        make_unit(code="KEHY001", contact_email="anna@kehy1.fi"),
        make_unit(code="KEHY002", contact_email="bo@kehy2.fi", language="sv"),
        make_unit(code="KEHY003", contact_email="olli@kehy3.fi"),
        make_unit(
            code="KEHY004",
            contact_email="gone@kehy4.fi",
            deactivated_at=utcnow() - timedelta(days=1),
        ),
    ]
    db.session.commit()
    return units


@pytest.fixture
def open_round(runner, db, roster):
    assert create(runner).exit_code == 0
    assert invoke(runner, "rounds", "open", "kevat-2099").exit_code == 0
    return round_by_slug(db, "kevat-2099")


def test_links_csv(runner, db, open_round):
    result = invoke(runner, "invitations", "links", "kevat-2099")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "code,contact_email,link"
    rows = read_links(result.stdout)
    assert [(row["code"], row["contact_email"]) for row in rows] == [
        ("KEHY001", "anna@kehy1.fi"),
        ("KEHY002", "bo@kehy2.fi"),
        ("KEHY003", "olli@kehy3.fi"),
    ]
    # (the deactivated KEHY004 is not part of the round)
    for row in rows:
        assert LINK_RE.match(row["link"]), row["link"]
    assert len({row["link"] for row in rows}) == 3
    assert "Wrote 3 links (3 new invitations)" in result.stderr
    assert "Wrote" not in result.stdout
    assert invitation_count(db) == 3


def test_links_to_a_file(runner, db, open_round, tmp_path):
    target = tmp_path / "out" / "links.csv"
    target.parent.mkdir()
    result = invoke(runner, "invitations", "links", "kevat-2099", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"Wrote 3 links to {target}" in result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"code,contact_email,link\n")
    rows = read_links(raw.decode("utf-8"))
    assert [row["code"] for row in rows] == ["KEHY001", "KEHY002", "KEHY003"]
    # the long option writes the same links
    again = tmp_path / "again.csv"
    result = invoke(runner, "invitations", "links", "kevat-2099", "--output", str(again))
    assert result.exit_code == 0
    assert again.read_bytes() == raw


def test_links_to_an_unwritable_path_fails_clearly(runner, db, open_round, tmp_path):
    target = tmp_path / "no-such-folder" / "links.csv"
    result = invoke(runner, "invitations", "links", "kevat-2099", "-o", str(target))
    failed(result, str(target))
    assert not target.exists()
    # nothing was half done: the next run creates the invitations and says so
    rerun = invoke(runner, "invitations", "links", "kevat-2099")
    assert "(3 new invitations)" in rerun.stderr


def test_links_twice_prints_the_same_links_and_creates_nothing(runner, db, open_round):
    first = invoke(runner, "invitations", "links", "kevat-2099")
    assert first.exit_code == 0
    count = invitation_count(db)
    hashes = set(db.session.scalars(select(Invitation.token_hash)))
    second = invoke(runner, "invitations", "links", "kevat-2099")
    assert second.exit_code == 0
    assert second.stdout == first.stdout
    assert "(0 new invitations)" in second.stderr
    assert invitation_count(db) == count == 3
    db.session.expire_all()
    assert set(db.session.scalars(select(Invitation.token_hash))) == hashes


def test_unit_added_later_gets_a_link_on_the_next_run(runner, db, open_round, tmp_path):
    before = links_of(runner, "kevat-2099")
    roster_file = tmp_path / "more.csv"
    roster_file.write_text(
        "code,name,field,status,region,contact_email\n"
        "KEHY000,Uusi yksikkö,Lastensuojelu,valmisteleva,Lappi,uusi@kehy0.fi\n",
        encoding="utf-8",
    )
    assert invoke(runner, "units", "import", str(roster_file)).exit_code == 0
    result = invoke(runner, "invitations", "links", "kevat-2099")
    assert result.exit_code == 0
    assert "(1 new invitations)" in result.stderr
    after = {row["code"]: row for row in read_links(result.stdout)}
    assert list(after) == ["KEHY000", "KEHY001", "KEHY002", "KEHY003"]
    assert after["KEHY000"]["contact_email"] == "uusi@kehy0.fi"
    assert LINK_RE.match(after["KEHY000"]["link"])
    assert {code: after[code]["link"] for code in before} == before
    assert invitation_count(db) == 4


def test_the_links_open_the_units_form(runner, db, client, open_round, roster):
    links = links_of(runner, "kevat-2099")
    for unit in roster[:3]:
        page = client.get(links[unit.code])
        assert page.status_code == 200, unit.code
        html = page.get_data(as_text=True)
        assert unit.name in html
        assert "Kevään kartoitus" in html
        assert 'name="action" value="submit"' in html
    # each link opens its own unit's page
    assert roster[1].name not in client.get(links["KEHY001"]).get_data(as_text=True)


def test_links_are_per_round(runner, db, client, open_round, roster):
    assert create(runner, "syksy-2099", title="Syksyn kartoitus").exit_code == 0
    assert invoke(runner, "rounds", "open", "syksy-2099").exit_code == 0
    spring = links_of(runner, "kevat-2099")
    autumn = links_of(runner, "syksy-2099")
    assert set(spring) == set(autumn)
    assert not set(spring.values()) & set(autumn.values())
    page = client.get(autumn["KEHY001"]).get_data(as_text=True)
    assert "Syksyn kartoitus" in page and "Kevään kartoitus" not in page


def test_links_for_unknown_round(runner, db, roster):
    failed(invoke(runner, "invitations", "links", "ei-ole"), "no round with slug 'ei-ole'")
    assert invitation_count(db) == 0


def database_text(db) -> list[str]:
    """Every value of every row of every table (migrations' tables too), as text."""
    db.session.commit()
    out = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
            for value in row:
                if value is None:
                    continue
                if isinstance(value, memoryview):
                    value = value.tobytes()
                if isinstance(value, bytes):
                    out += [
                        value.hex(),
                        value.decode("latin-1"),
                        base64.urlsafe_b64encode(value).decode("ascii"),
                        base64.b64encode(value).decode("ascii"),
                    ]
                else:
                    out.append(str(value))
    return out


def token_digest(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=")


def test_the_database_holds_no_token(runner, db, open_round):
    links = links_of(runner, "kevat-2099")
    reissued = reissue_token(db.session.scalars(select(Invitation)).first())
    db.session.commit()
    tokens_ = [link.rsplit("/", 1)[1] for link in links.values()] + [reissued]
    values = database_text(db)
    assert any("KEHY001" in value for value in values)  # the dump does see the data
    assert len(tokens_) == 4
    for token in tokens_:
        for value in values:
            assert token not in value
            assert token_digest(token).hex() not in value
            assert token_digest(token).decode("latin-1") not in value
    for link in links.values():
        assert not any(link in value for value in values)


def other_app(database_url, **overrides):
    return make_app(database_url, **overrides)


def run_in(app, *args):
    """Run a command in another app (another SECRET_KEY) on the same database."""
    _db.session.commit()  # the test's own session must not hold SQLite's write lock
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        _db.session.remove()
    return result


def dispose(app):
    with app.app_context():
        _db.engine.dispose()


def test_rotated_secret_key_with_fallback_keeps_links(runner, db, open_round, database_url):
    links = links_of(runner, "kevat-2099")
    db.session.commit()
    rotated = other_app(database_url, SECRET_KEY="new", SECRET_KEY_FALLBACKS=[OLD_KEY])
    try:
        client = rotated.test_client()
        for link in links.values():
            assert client.get(link).status_code == 200
        again = run_in(rotated, "invitations", "links", "kevat-2099")
        assert again.exit_code == 0, again.output
        assert {row["code"]: row["link"] for row in read_links(again.stdout)} == links
        assert "(0 new invitations)" in again.stderr

        # a unit added after the rotation gets a link under the new key, which works too
        with rotated.app_context():
            make_unit(code="KEHY005")
            _db.session.commit()
        later = run_in(rotated, "invitations", "links", "kevat-2099")
        new_links = {row["code"]: row["link"] for row in read_links(later.stdout)}
        assert client.get(new_links["KEHY005"]).status_code == 200
        assert {code: new_links[code] for code in links} == links
    finally:
        dispose(rotated)
    # the old links were made with the old key, the new one with the new key
    rows = db.session.execute(select(Unit.code, Invitation.token_salt).join(Invitation)).all()
    salts = {code: salt for code, salt in rows}
    for code, link in links.items():
        assert link.endswith("/" + tokens.derive_token(salts[code], OLD_KEY))
    assert new_links["KEHY005"].endswith("/" + tokens.derive_token(salts["KEHY005"], "new"))


def test_changed_secret_key_without_fallback_fails_clearly(runner, db, open_round, database_url):
    links_of(runner, "kevat-2099")
    make_unit(code="KEHY005")
    db.session.commit()
    count = invitation_count(db)
    db.session.commit()
    changed = other_app(database_url, SECRET_KEY="new")
    try:
        result = run_in(changed, "invitations", "links", "kevat-2099")
    finally:
        dispose(changed)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "SECRET_KEY" in result.stderr and "SECRET_KEY_FALLBACKS" in result.stderr
    assert result.stdout == ""  # no half-written CSV
    db.session.expire_all()
    assert invitation_count(db) == count  # KEHY005's invitation was not kept either


def test_reissued_token_replaces_the_old_link(runner, db, client, open_round):
    links = links_of(runner, "kevat-2099")
    invitation = db.session.scalar(select(Invitation).join(Unit).where(Unit.code == "KEHY002"))
    new_token = reissue_token(invitation)
    db.session.commit()
    assert tokens.is_well_formed(new_token)
    assert client.get(links["KEHY002"]).status_code == 404
    assert client.get(f"/r/{new_token}").status_code == 200
    after = links_of(runner, "kevat-2099")
    assert after["KEHY002"] == f"http://localhost/r/{new_token}"
    assert after["KEHY001"] == links["KEHY001"] and after["KEHY003"] == links["KEHY003"]
    assert invitation_count(db) == 3


def test_every_bad_token_answers_the_same_404(runner, db, client, open_round, roster, app):
    app.config["LINK_FAILURE_LIMIT"] = 1000  # this test makes many wrong requests on purpose
    links = links_of(runner, "kevat-2099")
    # a re-issued link
    invitation = db.session.scalar(select(Invitation).join(Unit).where(Unit.code == "KEHY003"))
    old_path = links["KEHY003"].removeprefix("http://localhost")
    reissue_token(invitation)
    # a link of an earlier round that closed long ago (made while it was open)
    earlier = make_round(slug="vanha")
    db.session.commit()
    earlier_path = links_of(runner, "vanha")["KEHY001"].removeprefix("http://localhost")
    days = app.config["TOKEN_DAYS_AFTER_CLOSE"]
    earlier.state = "closed"
    earlier.closed_at = earlier.deadline = utcnow() - timedelta(days=days + 1)
    db.session.commit()
    # a link of a unit taken off the roster after it got its link
    deactivated_path = links["KEHY002"].removeprefix("http://localhost")
    db.session.scalar(select(Unit).filter_by(code="KEHY002")).deactivated_at = utcnow()
    # the right salt under a wrong key
    salt = db.session.scalar(select(Invitation).join(Unit).where(Unit.code == "KEHY001")).token_salt
    forged = tokens.derive_token(salt, "not-the-key")
    db.session.commit()

    paths = {
        "short": "/r/abc",
        "bad character": "/r/" + "A" * 42 + "!",
        "too long": "/r/" + secrets.token_urlsafe(33),
        "unknown": "/r/" + secrets.token_urlsafe(32),
        "forged": f"/r/{forged}",
        "re-issued": old_path,
        "earlier round, expired": earlier_path,
        "deactivated unit": deactivated_path,
    }
    assert len(paths["bad character"]) == 3 + 43
    assert all(
        tokens.is_well_formed(p[3:])
        for k, p in paths.items()
        if k not in ("short", "bad character", "too long")
    )
    # a real form's CSRF token, so that a POST reaches the token check
    csrf = form_fields(client.get(links["KEHY001"]).get_data(as_text=True))["csrf_token"]
    bodies = {}
    for name, path in paths.items():
        get = client.get(path)
        post = client.post(path, data={"csrf_token": csrf, "action": "submit", "k1_1": "yes"})
        done = client.get(path + "/done")
        for method, response in (("get", get), ("post", post), ("done", done)):
            assert response.status_code == 404, (name, method, response.status_code)
            bodies[(name, method)] = response.get_data()
    assert len(set(bodies.values())) == 1, sorted(bodies)
    assert b"404" in next(iter(bodies.values()))
    # without a CSRF token too: a wrong link is a 404 before the form is looked at
    for path in paths.values():
        refused = client.post(path, data={"action": "submit"})
        assert refused.status_code == 404
        assert refused.get_data() in set(bodies.values())
    # while the right link still opens
    assert client.get(links["KEHY001"].removeprefix("http://localhost")).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_round_titles_in_swedish_and_english_are_stored(runner, db):
    from survey_app.models import Round

    result = runner.invoke(
        args=[
            "rounds",
            "create",
            "kevat-2099",
            "--title",
            "Kartoitus",
            "--title-sv",
            "Kartläggning",
            "--title-en",
            " ",
            "--deadline",
            f"{YEAR}-03-31T16:00",
        ]
    )
    assert result.exit_code == 0, result.output
    round_ = db.session.scalar(select(Round).filter_by(slug="kevat-2099"))
    assert round_.title_translations == {"sv": "Kartläggning"}
    assert round_.title_in("sv") == ("Kartläggning", "sv")
    assert round_.title_in("en") == ("Kartoitus", "fi")


def test_a_round_slug_never_ends_with_a_line_break(runner, db):
    result = runner.invoke(
        args=["rounds", "create", "kevat\n", "--title", "T", "--deadline", "2030-03-31T16:00"]
    )
    assert result.exit_code == 1 and "slug" in result.stderr
