"""Running a round from the browser: the new-round page and the manage page's actions,
each refused clearly on bad input, each audited, national-only where it must be."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.models import AuditEntry, Invitation, OutboxMessage, Round, RoundReminder, Unit
from survey_app.models.types import utcnow
from survey_app.timeutil import to_local
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import create, login
from tests.rounds.helpers import audit_actions, csrf, fresh_round, local, new_round, post


@pytest.fixture
def admins(runner, db):
    make_unit(code="E1", name="Itäinen yksikkö", region="Itä-Suomi")
    make_unit(code="L1", name="Lapin yksikkö", region="Lappi")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")


# --- creating a round ------------------------------------------------------------


def test_a_national_admin_creates_a_draft_round(client, db, admins):
    login(client, "paa@example.fi")
    start = client.get("/admin/").get_data(as_text=True)
    assert 'id="new-round"' in start
    page = client.get("/admin/rounds/new")
    assert page.status_code == 200
    assert 'name="deadline_date"' in page.get_data(as_text=True)
    done = post(
        client,
        "/admin/rounds/new",
        **new_round(
            invitation_fi_subject="Kutsu: {round_title}",
            invitation_fi_body="Hei {contact_name},\n\nvastatkaa: {link}",
        ),
    )
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/rounds/kevat-2099/manage")
    round_ = fresh_round(db, "kevat-2099")
    assert round_.state == "draft"
    assert round_.title_translations == {"sv": "Vårens kartläggning"}
    assert round_.reminder_days == [7, 2]
    assert [v.key for v in round_.questionnaire_versions] == ["criteria"]
    assert to_local(round_.deadline).strftime("%H:%M") == "16:00"
    assert round_.email_texts["invitation"]["fi"]["subject"] == "Kutsu: {round_title}"
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.target, entry.region) == ("create round", "round kevat-2099", None)
    assert entry.after["questionnaires"] == ["criteria v2"]
    manage = client.get("/admin/rounds/kevat-2099/manage?lang=en").get_data(as_text=True)
    assert "Kevään kartoitus" in manage and 'id="open-round"' in manage


def test_bad_input_is_refused_field_by_field(client, db, admins):
    login(client, "paa@example.fi")
    past_date, _time = local(utcnow() - timedelta(days=1))
    refused = post(
        client,
        "/admin/rounds/new?lang=en",
        **new_round(
            title="",
            slug="Kevät 2099",
            deadline_date=past_date,
            questionnaires=[],
            reminder_days="7, kaksi",
        ),
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    for field in ("title", "slug", "deadline_date", "questionnaires", "reminder_days"):
        assert f'id="{field}-error"' in html, field
    assert 'class="error-summary"' in html
    assert "must be in the future" in html
    assert "kaksi is not a number of days" in html
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_a_garbled_date_is_a_clear_error(client, db, admins):
    login(client, "paa@example.fi")
    refused = post(client, "/admin/rounds/new?lang=en", **new_round(deadline_time="kello 4"))
    assert refused.status_code == 422
    assert "Enter a date and a time" in refused.get_data(as_text=True)


@pytest.mark.parametrize(("slug", "message"), [("new", "is reserved"), ("kevat", "exists already")])
def test_a_reserved_or_taken_slug_is_refused(client, db, admins, slug, message):
    make_round(slug="kevat")
    db.session.commit()
    login(client, "paa@example.fi")
    refused = post(client, "/admin/rounds/new?lang=en", **new_round(slug=slug))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="slug-error"' in html and message in html
    assert db.session.scalar(select(func.count()).select_from(Round)) == 1


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("Hei {unitname}", "Linkki: {link}", "subject", "Unknown placeholder {unitname}"),
        ("Kutsu", "Vastatkaa {deadlin} mennessä: {link}", "body", "Did you mean {deadline}?"),
        ("Kutsu", "Ei linkkiä", "body", "must contain {link}"),
        ("Kutsu {link}", "Linkki: {link}", "subject", "belongs in the text"),
        ("Kutsu", "Linkki: {link} {", "body", "Check the braces"),
        ("", "Linkki: {link}", "subject", "Give both"),
    ],
)
def test_an_email_text_with_a_wrong_placeholder_is_refused(
    client, db, admins, subject, body, field, message
):
    login(client, "paa@example.fi")
    refused = post(
        client,
        "/admin/rounds/new?lang=en",
        **new_round(reminder_sv_subject=subject, reminder_sv_body=body),
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="reminder_sv_{field}-error"' in html
    assert message in html
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_the_new_round_page_needs_the_csrf_token(client, db, admins):
    login(client, "paa@example.fi")
    refused = client.post("/admin/rounds/new", data=new_round())
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


# --- the manage page's actions ---------------------------------------------------


@pytest.fixture
def draft(db, admins):
    round_ = make_round(slug="kevat", state="draft")
    make_unit(code="X1", region="Lappi", deactivated_at=utcnow())
    db.session.commit()
    return round_


def test_open_creates_every_active_units_invitation_and_mails_nobody(client, db, draft):
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/kevat/manage").status_code == 200
    assert post(client, "/admin/rounds/kevat/open").status_code == 303
    round_ = fresh_round(db, "kevat")
    assert round_.state == "open" and round_.opened_at is not None
    codes = db.session.scalars(select(Invitation.unit_id).where(Invitation.round_id == round_.id))
    assert len(list(codes)) == 2  # E1 and L1, not the deactivated X1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.region) == ("open round", None)
    assert entry.before == {"state": "draft"}
    assert entry.after == {"state": "open", "invitations_created": 2}
    again = post(client, "/admin/rounds/kevat/open?lang=en")
    assert again.status_code == 409
    assert "Only a draft round can be opened" in again.get_data(as_text=True)
    assert audit_actions(db) == ["open round"]


def test_a_draft_past_its_deadline_is_not_opened(client, db, admins):
    make_round(slug="vanha", state="draft", deadline=utcnow() - timedelta(hours=1))
    db.session.commit()
    login(client, "paa@example.fi")
    assert post(client, "/admin/rounds/vanha/open").status_code == 409
    assert fresh_round(db, "vanha").state == "draft"


def test_extend_reopens_a_round_that_closed_itself(client, db, admins):
    make_round(slug="kevat", deadline=utcnow() - timedelta(hours=1))
    db.session.commit()
    login(client, "paa@example.fi")
    assert fresh_round(db, "kevat").effective_state() == "closed"
    date, _time = local(utcnow() + timedelta(days=7))
    done = post(
        client, "/admin/rounds/kevat/deadline", new_deadline_date=date, new_deadline_time="12:00"
    )
    assert done.status_code == 303
    round_ = fresh_round(db, "kevat")
    assert round_.effective_state() == "open"
    assert to_local(round_.deadline).strftime("%Y-%m-%d %H:%M") == f"{date} 12:00"
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "extend deadline"
    assert entry.before["state"] == "closed" and entry.after["state"] == "open"
    assert entry.after["deadline"] == f"{date} 12:00"


def test_extend_refuses_an_earlier_deadline_and_a_closed_round(client, db, admins):
    make_round(slug="kevat", deadline=utcnow() + timedelta(days=10))
    make_round(slug="suljettu", state="closed")
    db.session.commit()
    login(client, "paa@example.fi")
    date, _time = local(utcnow() + timedelta(days=5))
    earlier = post(
        client,
        "/admin/rounds/kevat/deadline?lang=en",
        new_deadline_date=date,
        new_deadline_time="12:00",
    )
    assert earlier.status_code == 422
    assert 'id="new_deadline_date-error"' in earlier.get_data(as_text=True)
    closed = post(
        client, "/admin/rounds/suljettu/deadline", new_deadline_date=date, new_deadline_time="12:00"
    )
    assert closed.status_code == 409
    assert fresh_round(db, "suljettu").state == "closed"
    assert audit_actions(db) == []


def test_close_now(client, db, admins):
    make_round(slug="kevat")
    db.session.commit()
    login(client, "paa@example.fi")
    assert post(client, "/admin/rounds/kevat/close").status_code == 303
    round_ = fresh_round(db, "kevat")
    assert round_.state == "closed" and not round_.accepts_answers()
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.before, entry.after) == (
        "close round",
        {"state": "open"},
        {"state": "closed"},
    )
    assert post(client, "/admin/rounds/kevat/close").status_code == 409
    page = client.get("/admin/rounds/kevat/manage").get_data(as_text=True)
    assert 'id="close-round"' not in page and "reminder_days" not in page


def test_reminder_days(client, db, admins):
    make_round(slug="kevat", deadline=utcnow() + timedelta(days=30))
    db.session.commit()
    login(client, "paa@example.fi")
    assert post(client, "/admin/rounds/kevat/reminders", reminder_days="2 7,7").status_code == 303
    assert fresh_round(db, "kevat").reminder_days == [7, 2]
    refused = post(client, "/admin/rounds/kevat/reminders", reminder_days="400")
    assert refused.status_code == 422
    assert 'id="reminder_days-error"' in refused.get_data(as_text=True)
    assert post(client, "/admin/rounds/kevat/reminders", reminder_days="").status_code == 303
    assert fresh_round(db, "kevat").reminder_days is None
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.before, e.after) for e in entries] == [
        ({"reminder_days": None}, {"reminder_days": [7, 2]}),
        ({"reminder_days": [7, 2]}, {"reminder_days": None}),
    ]


def test_saving_the_same_reminder_days_changes_and_records_nothing(client, db, admins):
    make_round(slug="kevat", deadline=utcnow() + timedelta(days=30))
    db.session.commit()
    login(client, "paa@example.fi")
    assert post(client, "/admin/rounds/kevat/reminders", reminder_days="7, 2").status_code == 303
    again = post(client, "/admin/rounds/kevat/reminders?lang=en", reminder_days="2,7")
    assert again.status_code == 303
    assert "Nothing was changed." in client.get(again.headers["Location"]).get_data(as_text=True)
    assert audit_actions(db) == ["set reminder days"]


def test_a_regional_admin_is_not_shown_the_national_reminder_counts(client, db, admins):
    round_ = make_round(slug="kevat", deadline=utcnow() + timedelta(days=30))
    round_.reminder_days = [7]
    db.session.add(
        RoundReminder(
            round_id=round_.id, days_before=7, due_at=utcnow(), outcome="queued", queued=37
        )
    )
    db.session.commit()
    login(client, "paa@example.fi")
    assert "37 reminders" in client.get("/admin/rounds/kevat/manage?lang=en").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": csrf(client)})
    login(client, "ita@example.fi")
    page = client.get("/admin/rounds/kevat/manage?lang=en").get_data(as_text=True)
    assert "7 days before" in page and "– done" in page
    assert re.search(r"\(\d+ reminders\)", page) is None


def test_email_texts_are_saved_checked_and_cleared(client, db, admins):
    make_round(slug="kevat")
    db.session.commit()
    login(client, "paa@example.fi")
    text = {"invitation_en_subject": "Survey {round_title}", "invitation_en_body": "Go: {link}"}
    assert post(client, "/admin/rounds/kevat/email-texts", **text).status_code == 303
    page = client.get("/admin/rounds/kevat/manage").get_data(as_text=True)
    assert "Survey {round_title}" in page
    bad = {**text, "reminder_fi_subject": "Muistutus", "reminder_fi_body": "{linkki}"}
    refused = post(client, "/admin/rounds/kevat/email-texts?lang=en", **bad)
    assert refused.status_code == 422
    assert "Unknown placeholder {linkki}" in refused.get_data(as_text=True)
    assert "reminder" not in fresh_round(db, "kevat").email_texts
    control = {**text, "reminder_fi_subject": "Muistutus", "reminder_fi_body": "\x1b {link}"}
    refused = post(client, "/admin/rounds/kevat/email-texts?lang=en", **control)
    assert refused.status_code == 422
    assert "Remove the control characters from the text." in refused.get_data(as_text=True)
    assert "reminder" not in fresh_round(db, "kevat").email_texts
    assert post(client, "/admin/rounds/kevat/email-texts").status_code == 303  # all empty
    assert fresh_round(db, "kevat").email_texts is None
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["set email texts", "set email texts"]
    assert entries[0].before == {"invitation en": None}
    assert entries[0].after == {
        "invitation en": {"subject": "Survey {round_title}", "body": "Go: {link}"}
    }
    assert entries[1].after == {"invitation en": None}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/rounds/new"),
        ("post", "/admin/rounds/new"),
        ("post", "/admin/rounds/kevat/open"),
        ("post", "/admin/rounds/kevat/close"),
        ("post", "/admin/rounds/kevat/deadline"),
        ("post", "/admin/rounds/kevat/reminders"),
        ("post", "/admin/rounds/kevat/email-texts"),
    ],
)
def test_a_regional_admin_may_not_create_or_change_rounds(client, db, draft, method, path):
    login(client, "ita@example.fi")
    response = client.get(path) if method == "get" else post(client, path, **new_round())
    assert response.status_code == 403
    if method == "get":
        assert "Only a national admin" in client.get(path + "?lang=en").get_data(as_text=True)
    assert fresh_round(db, "kevat").state == "draft"
    assert db.session.scalar(select(func.count()).select_from(Round)) == 1
    assert audit_actions(db) == []


def test_a_regional_admin_sees_the_manage_page_without_round_wide_actions(client, db, draft):
    login(client, "ita@example.fi")
    assert 'id="new-round"' not in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/rounds/kevat/manage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="open-round"' not in html and 'id="close-round"' not in html


# --- late answers ----------------------------------------------------------------


@pytest.fixture
def late_round(db, admins):
    round_ = make_round(slug="kevat", deadline=utcnow() - timedelta(hours=1))
    for code in ("E1", "L1"):
        make_invitation(round_=round_, unit=db.session.scalar(select(Unit).filter_by(code=code)))
    return round_


def late_until(db, code):
    db.session.expire_all()
    return db.session.scalar(
        select(Invitation.late_until).join(Unit, Invitation.unit_id == Unit.id).filter_by(code=code)
    )


def test_a_regional_admin_lets_its_own_unit_answer_late(client, db, late_round):
    login(client, "ita@example.fi")
    page = client.get("/admin/rounds/kevat/manage").get_data(as_text=True)
    assert "Itäinen yksikkö" in page and "Lapin yksikkö" not in page
    date, _time = local(utcnow() + timedelta(days=3))
    done = post(
        client, "/admin/rounds/kevat/late", late_unit="E1", late_date=date, late_time="16:00"
    )
    assert done.status_code == 303
    assert to_local(late_until(db, "E1")).strftime("%Y-%m-%d %H:%M") == f"{date} 16:00"
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.target, entry.region) == (
        "late answers",
        "round kevat: unit E1",
        "Itä-Suomi",
    )
    assert entry.before == {"late_until": None} and entry.after == {"late_until": f"{date} 16:00"}
    assert 'id="late-units"' in client.get("/admin/rounds/kevat/manage").get_data(as_text=True)
    foreign = post(
        client, "/admin/rounds/kevat/late", late_unit="L1", late_date=date, late_time="16:00"
    )
    assert foreign.status_code == 404
    assert post(client, "/admin/rounds/kevat/late/L1/end").status_code == 404
    assert late_until(db, "L1") is None
    assert post(client, "/admin/rounds/kevat/late/E1/end").status_code == 303
    assert late_until(db, "E1") is None
    assert audit_actions(db) == ["late answers", "late answers"]


def test_a_deactivated_unit_posted_by_hand_is_404(client, db, late_round):
    unit = db.session.scalar(select(Unit).filter_by(code="E1"))
    invitation = db.session.scalar(select(Invitation).filter_by(unit_id=unit.id))
    invitation.late_until = utcnow() + timedelta(days=1)
    unit.deactivated_at = utcnow()
    db.session.commit()
    login(client, "paa@example.fi")
    page = client.get("/admin/rounds/kevat/manage").get_data(as_text=True)
    assert 'value="E1"' not in page  # not among the choices
    date, _time = local(utcnow() + timedelta(days=3))
    allowed = post(
        client, "/admin/rounds/kevat/late", late_unit="E1", late_date=date, late_time="16:00"
    )
    assert allowed.status_code == 404
    assert post(client, "/admin/rounds/kevat/late/E1/end").status_code == 404
    assert late_until(db, "E1") is not None
    assert audit_actions(db) == []


def test_late_answers_need_a_future_time_and_an_open_round(client, db, late_round):
    login(client, "paa@example.fi")
    past, _time = local(utcnow() - timedelta(days=1))
    refused = post(
        client, "/admin/rounds/kevat/late", late_unit="E1", late_date=past, late_time="16:00"
    )
    assert refused.status_code == 422
    assert 'id="late_date-error"' in refused.get_data(as_text=True)
    missing = post(client, "/admin/rounds/kevat/late", late_unit="", late_date=past)
    assert missing.status_code == 422
    assert 'id="late_unit-error"' in missing.get_data(as_text=True)
    late_round.state = "closed"
    db.session.commit()
    date, _time = local(utcnow() + timedelta(days=3))
    closed = post(
        client, "/admin/rounds/kevat/late", late_unit="E1", late_date=date, late_time="16:00"
    )
    assert closed.status_code == 409
    assert late_until(db, "E1") is None
    assert audit_actions(db) == []
