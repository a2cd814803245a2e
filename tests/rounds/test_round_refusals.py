"""Round changes refused clearly: dates too far ahead (never a 500), reasons in the
admin's language (never the services' English), and two admins pressing the same
button at once change the round once."""

import shutil
import threading
import time
from datetime import timedelta
from html import escape

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm.attributes import set_committed_value

from survey_app.extensions import db as _db
from survey_app.lookup import get_round
from survey_app.models import Admin, Invitation, Round, Unit
from survey_app.models.types import utcnow
from survey_app.questionnaires import registry
from survey_app.refusals import Refused
from survey_app.rounds import actions as round_actions
from survey_app.rounds import forms as round_forms
from survey_app.rounds import late, services
from survey_app.timeutil import parse_local
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import create, login, make_app
from tests.rounds.helpers import audit_actions, fresh_round, local, new_round, post

FAR = utcnow() + timedelta(days=365 * services.YEARS_AHEAD_MAX + 2)


@pytest.fixture
def admins(runner, db):
    make_unit(code="E1", name="Itäinen yksikkö", region="Itä-Suomi")
    make_unit(code="L1", name="Lapin yksikkö", region="Lappi")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")


def round_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Round))


def national(db) -> Admin:
    return db.session.scalar(select(Admin).filter_by(email="paa@example.fi"))


# --- dates too far ahead ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("9999-12-31", "too far ahead"),
        (local(FAR)[0], "too far ahead"),
        ("0001-01-01", "Enter a date and a time"),
    ],
)
def test_a_new_round_far_ahead_or_out_of_the_calendar_is_refused(client, db, admins, date, message):
    login(client, "paa@example.fi")
    refused = post(
        client,
        "/admin/rounds/new?lang=en",
        **new_round(deadline_date=date, deadline_time="23:59"),
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="deadline_date-error"' in html and message in html
    assert round_count(db) == 0


def test_extend_and_late_answers_far_ahead_are_refused(client, db, admins):
    make_round(slug="kevat")
    db.session.commit()
    login(client, "paa@example.fi")
    extend = post(
        client,
        "/admin/rounds/kevat/deadline?lang=en",
        new_deadline_date="9999-12-31",
        new_deadline_time="23:59",
    )
    assert extend.status_code == 422
    assert "too far ahead" in extend.get_data(as_text=True)
    assert fresh_round(db, "kevat").deadline < utcnow() + timedelta(days=15)
    late_round = make_round(slug="myohassa", deadline=utcnow() - timedelta(hours=1))
    make_invitation(round_=late_round, unit=db.session.scalar(select(Unit).filter_by(code="E1")))
    db.session.commit()
    late = post(
        client,
        "/admin/rounds/myohassa/late?lang=en",
        late_unit="E1",
        late_date="9999-12-31",
        late_time="23:59",
    )
    assert late.status_code == 422
    assert 'id="late_date-error"' in late.get_data(as_text=True)
    assert audit_actions(db) == []


def test_the_manage_page_of_a_round_stored_far_ahead_still_works(client, db, admins):
    # Stored by other means (before the limit existed, say): the page must not break.
    round_ = make_round(slug="kaukana", deadline=parse_local("9999-12-31T23:59"))
    make_invitation(round_=round_, unit=db.session.scalar(select(Unit).filter_by(code="E1")))
    db.session.commit()
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/kaukana/manage").status_code == 200
    assert client.get("/admin/rounds/kaukana").status_code == 200
    date, _time = local(utcnow() + timedelta(days=30))
    late = post(
        client, "/admin/rounds/kaukana/late", late_unit="E1", late_date=date, late_time="12:00"
    )
    assert late.status_code == 422  # before the deadline, however far that is
    extend = post(
        client,
        "/admin/rounds/kaukana/deadline",
        new_deadline_date="9999-12-31",
        new_deadline_time="23:59",
    )
    assert extend.status_code == 422
    assert post(client, "/admin/rounds/kaukana/close").status_code == 303


def test_the_services_refuse_times_far_ahead(app, db):
    with pytest.raises(Refused) as created:
        services.create_round("kaukana", "Kaukana", FAR)
    assert created.value.code == "too_far_ahead"
    round_ = make_round(slug="kevat")
    with pytest.raises(Refused) as extended:
        services.extend_deadline(round_, FAR)
    assert extended.value.code == "too_far_ahead"
    # The link's own limit (a year after the deadline) is not what stops this one.
    edge = make_round(slug="reuna", deadline=services.latest_moment() - timedelta(hours=1))
    invitation, _link = make_invitation(round_=edge)
    with pytest.raises(Refused) as refused_late:
        late.allow_late(invitation, edge.deadline + timedelta(days=2))
    assert refused_late.value.code == "too_far_ahead"
    assert invitation.late_until is None


# --- the admin's language, never the services' English -----------------------------------


def english_of(db, change) -> str:
    """What the service says to the command line for this refusal."""
    with pytest.raises(Refused) as refused:
        change()
    db.session.rollback()
    return refused.value.args[0]


def test_round_refusals_never_show_the_services_english(client, db, admins):
    make_round(slug="vanha", state="draft", deadline=utcnow() - timedelta(hours=1))
    make_round(slug="auki")
    db.session.commit()
    login(client, "paa@example.fi")
    cases = [
        (
            "/admin/rounds/vanha/open",
            lambda: services.open_round(get_round("vanha")),
            "The deadline has passed. Extend it before opening.",
        ),
        (
            "/admin/rounds/auki/open",
            lambda: services.open_round(get_round("auki")),
            "Only a draft round can be opened.",
        ),
    ]
    for path, change, reason in cases:
        english = english_of(db, change)
        page = post(client, path + "?lang=en")
        assert page.status_code == 409, path
        html = page.get_data(as_text=True)
        assert reason in html, path
        assert escape(english) not in html and english not in html, path
    assert post(client, "/admin/rounds/auki/close").status_code == 303
    english = english_of(db, lambda: services.close_round(get_round("auki")))
    again = post(client, "/admin/rounds/auki/close?lang=en").get_data(as_text=True)
    assert "The round is closed already." in again and escape(english) not in again


def test_a_changed_questionnaire_file_is_refused_in_the_admins_language(
    client, db, admins, tmp_path, monkeypatch
):
    folder = tmp_path / "definitions"
    shutil.copytree(registry.DEFINITIONS_DIR, folder)
    monkeypatch.setattr(registry, "DEFINITIONS_DIR", folder)
    services.create_round("vanha", "Vanha", utcnow() + timedelta(days=30), ("criteria",))
    db.session.commit()
    path = folder / "criteria-v2.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Toimintarakenne", "Rakenne"), encoding="utf-8"
    )
    login(client, "paa@example.fi")
    refused = post(client, "/admin/rounds/new?lang=en", **new_round())
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "raise its version" in html
    assert "differs from the version stored" not in html  # the command line's English
    assert round_count(db) == 1


def test_a_late_time_after_the_link_expires_is_a_field_error(client, db, admins, app):
    round_ = make_round(slug="kevat", deadline=utcnow() - timedelta(hours=1))
    make_invitation(round_=round_, unit=db.session.scalar(select(Unit).filter_by(code="E1")))
    db.session.commit()
    login(client, "paa@example.fi")
    days = app.config["TOKEN_DAYS_AFTER_CLOSE"]
    date, _time = local(round_.deadline + timedelta(days=days + 2))
    refused = post(
        client,
        "/admin/rounds/kevat/late?lang=en",
        late_unit="E1",
        late_date=date,
        late_time="12:00",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="late_date-error"' in html and "stops working" in html
    assert "the link expires" not in html  # the service's English
    assert audit_actions(db) == []


def test_a_slug_taken_meanwhile_is_a_clear_409(client, db, admins, monkeypatch):
    make_round(slug="kevat")
    db.session.commit()
    login(client, "paa@example.fi")
    # Another admin created it between this form's check and the insert.
    monkeypatch.setattr(round_forms, "slug_in_use", lambda slug: False)
    refused = post(client, "/admin/rounds/new?lang=en", **new_round(slug="kevat"))
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'id="slug-error"' in html and "exists already" in html
    assert round_count(db) == 1 and audit_actions(db) == []


def test_the_service_leaves_a_duplicate_slug_to_the_unique_constraint(app, db):
    services.create_round("kevat", "Kevät", utcnow() + timedelta(days=30))
    with pytest.raises(Refused) as refused:
        services.create_round("kevat", "Toinen", utcnow() + timedelta(days=30))
    assert refused.value.code == "slug_taken"
    db.session.commit()  # the first round stays: only the savepoint was rolled back
    assert [r.title for r in db.session.scalars(select(Round))] == ["Kevät"]


# --- two admins at once -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "stale_state"),
    [("open", "open", "draft"), ("close", "closed", "open")],
)
def test_a_change_from_a_stale_page_is_refused_and_recorded_once(
    client, db, admins, action, state, stale_state
):
    make_round(slug="kevat", state=stale_state)
    db.session.commit()
    login(client, "paa@example.fi")
    stale = fresh_round(db, "kevat")  # what the second request read
    assert post(client, f"/admin/rounds/kevat/{action}").status_code == 303  # the first
    assert fresh_round(db, "kevat").state == state
    set_committed_value(stale, "state", stale_state)
    change = round_actions.open_round if action == "open" else round_actions.close_round
    with pytest.raises(Refused) as refused:
        change(national(db), stale)
    assert refused.value.code in ("not_draft", "closed_already")
    db.session.rollback()
    assert len(audit_actions(db)) == 1
    assert post(client, f"/admin/rounds/kevat/{action}").status_code == 409  # posted again
    assert len(audit_actions(db)) == 1


def test_an_extension_from_a_stale_page_is_checked_against_the_new_deadline(client, db, admins):
    make_round(slug="kevat", deadline=utcnow() + timedelta(days=10))
    db.session.commit()
    login(client, "paa@example.fi")
    stale = fresh_round(db, "kevat")
    old_deadline = stale.deadline
    date, _time = local(utcnow() + timedelta(days=30))
    done = post(
        client, "/admin/rounds/kevat/deadline", new_deadline_date=date, new_deadline_time="12:00"
    )
    assert done.status_code == 303
    set_committed_value(stale, "deadline", old_deadline)
    with pytest.raises(Refused) as refused:
        round_actions.extend_deadline(national(db), stale, utcnow() + timedelta(days=20))
    assert refused.value.code == "deadline_not_later"
    db.session.rollback()
    assert audit_actions(db) == ["extend deadline"]


@pytest.mark.parametrize("action", ["open", "close"])
def test_two_admins_at_once_change_the_round_once(app, db, admins, database_url, action):
    """Both read the round before either changes it; the lock lets the second see what
    the first did. The race is forced: a third transaction holds the round until both
    are waiting for it."""
    round_id = make_round(slug="kevat", state="draft" if action == "open" else "open").id
    db.session.commit()
    change = round_actions.open_round if action == "open" else round_actions.close_round
    results = []

    def press(admin_app):
        with admin_app.app_context():
            try:
                round_ = _db.session.get(Round, round_id)  # read before the other's change
                admin = _db.session.scalar(select(Admin).filter_by(email="paa@example.fi"))
                change(admin, round_)
                _db.session.commit()
                results.append("done")
            except Refused as error:
                _db.session.rollback()
                results.append(error.code)
            finally:
                _db.session.remove()
                _db.engine.dispose()

    threads = [threading.Thread(target=press, args=(make_app(database_url),)) for _ in range(2)]
    with db.engine.connect() as blocker:
        blocker.execute(select(Round.id).where(Round.id == round_id).with_for_update())
        for thread in threads:
            thread.start()
        _wait_until_both_wait(blocker)
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == sorted(
        ["done", "not_draft" if action == "open" else "closed_already"]
    )
    db.session.expire_all()
    assert len(audit_actions(db)) == 1
    if action == "open":
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


def _wait_until_both_wait(connection) -> None:
    if connection.dialect.name != "postgresql":
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
    raise AssertionError("the two admins never waited for the same round")
