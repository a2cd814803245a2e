"""Dashboard actions: reminders, resend, new link, corrected address; each audited, each
refused (404) for a unit outside the admin's region."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from survey_app.models import AuditEntry, Invitation, OutboxMessage, Round, Unit
from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import CSRF_RE, PASSWORD, create, login


@pytest.fixture
def setup(runner, db):
    round_ = make_round(slug="kevat")
    units = {
        "E1": make_unit(code="E1", region="Itä-Suomi"),
        "E2": make_unit(code="E2", region="Itä-Suomi"),
        "L1": make_unit(code="L1", region="Lappi"),
    }
    for unit in units.values():
        make_invitation(round_=round_, unit=unit)
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")
    return units


def act(client, path, **data):
    page = client.get("/admin/rounds/kevat").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    return client.post(path, data={"csrf_token": csrf, **data})


def queued(db, kind):
    return sorted(
        db.session.scalars(
            select(Unit.code)
            .join(OutboxMessage.invitation)
            .join(Unit)
            .where(OutboxMessage.kind == kind)
        )
    )


def test_remind_all_reaches_only_the_admins_region(client, db, setup):
    login(client, "ita@example.fi", PASSWORD)
    done = act(client, "/admin/rounds/kevat/remind", which="all")
    assert done.status_code == 303
    assert "2 muistutusta" in client.get("/admin/rounds/kevat").get_data(as_text=True)
    assert queued(db, "reminder") == ["E1", "E2"]
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.region, entry.after) == ("remind", "Itä-Suomi", {"queued": 2})


def test_remind_selected_and_a_foreign_unit_is_404(client, db, setup):
    login(client, "ita@example.fi", PASSWORD)
    assert act(client, "/admin/rounds/kevat/remind", which="selected", unit=["E2"]).status_code
    assert queued(db, "reminder") == ["E2"]
    refused = act(client, "/admin/rounds/kevat/remind", which="selected", unit=["E1", "L1"])
    assert refused.status_code == 404
    assert queued(db, "reminder") == ["E2"]


@pytest.mark.parametrize(("action", "kind"), [("resend", "invitation"), ("reissue", "invitation")])
def test_resend_and_new_link(client, db, setup, action, kind):
    login(client, "ita@example.fi", PASSWORD)
    assert act(client, f"/admin/rounds/kevat/units/E1/{action}").status_code == 303
    assert queued(db, kind) == ["E1"]
    assert act(client, f"/admin/rounds/kevat/units/L1/{action}").status_code == 404
    assert queued(db, kind) == ["E1"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_corrected_address_is_saved_audited_and_mailed(client, db, setup):
    login(client, "ita@example.fi", PASSWORD)
    old = setup["E1"].contact_email
    act(client, "/admin/rounds/kevat/units/E1/email", email="ei osoite")
    page = client.get("/admin/rounds/kevat").get_data(as_text=True)
    assert "Ei tehty" in page
    assert (
        act(client, "/admin/rounds/kevat/units/E1/email", email="oikea@kunta.fi").status_code == 303
    )
    db.session.expire_all()
    assert db.session.get(Unit, setup["E1"].id).contact_email == "oikea@kunta.fi"
    entry = db.session.scalar(select(AuditEntry))
    assert entry.before == {"contact_email": old}
    assert entry.after == {"contact_email": "oikea@kunta.fi"}
    assert db.session.scalar(select(OutboxMessage.to_address)) == "oikea@kunta.fi"
    assert act(client, "/admin/rounds/kevat/units/L1/email", email="x@y.fi").status_code == 404


def test_actions_need_the_csrf_token(client, db, setup):
    login(client, "paa@example.fi", PASSWORD)
    refused = client.post("/admin/rounds/kevat/remind", data={"which": "all"})
    assert refused.status_code == 400
    assert queued(db, "reminder") == []


def test_the_audit_log_is_scoped_and_filtered(client, db, setup):
    login(client, "paa@example.fi", PASSWORD)
    act(client, "/admin/rounds/kevat/units/L1/resend")
    act(client, "/admin/rounds/kevat/units/E1/reissue")
    national = client.get("/admin/audit").get_data(as_text=True)
    assert "yksikkö L1" in national and "yksikkö E1" in national
    filtered = client.get("/admin/audit?action=re-issue+link").get_data(as_text=True)
    assert "yksikkö E1" in filtered and "yksikkö L1" not in filtered
    start = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": CSRF_RE.search(start).group(1)})
    login(client, "ita@example.fi", PASSWORD)
    regional = client.get("/admin/audit").get_data(as_text=True)
    assert "yksikkö E1" in regional and "yksikkö L1" not in regional


def page_text(client, url="/admin/rounds/kevat"):
    return re.sub(r"\s+", " ", client.get(url).get_data(as_text=True))


def audit_actions(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_send_invitations_queues_each_once_and_audits(client, db, setup):
    login(client, "paa@example.fi", PASSWORD)
    page = page_text(client, "/admin/rounds/kevat?lang=en")
    assert 'id="send-form"' in page and "Send invitations (3)" in page
    assert act(client, "/admin/rounds/kevat/send").status_code == 303
    assert queued(db, "invitation") == ["E1", "E2", "L1"]
    after = page_text(client)
    assert "3 invitations queued; 3 messages wait in the outbox" in after
    assert 'id="send-form"' not in after  # nothing left to send
    assert act(client, "/admin/rounds/kevat/send").status_code == 303  # pressed again
    assert queued(db, "invitation") == ["E1", "E2", "L1"]
    assert "nothing was queued" in page_text(client)
    (entry,) = audit_actions(db, "send invitations")
    assert (entry.target, entry.region, entry.after) == ("round kevat", None, {"queued": 3})


def test_a_regional_admin_sends_only_to_its_region(runner, client, db, setup):
    round_ = db.session.scalar(select(Round))
    east_new = make_unit(code="E3", region="Itä-Suomi")  # no invitation yet
    make_unit(code="L2", region="Lappi")
    db.session.commit()
    login(client, "ita@example.fi", PASSWORD)
    assert "Send invitations (3)" in page_text(client, "/admin/rounds/kevat?lang=en")  # E1-E3
    act(client, "/admin/rounds/kevat/send")
    assert queued(db, "invitation") == ["E1", "E2", "E3"]
    # E3's invitation was made; the other region's new unit was left alone.
    invited = set(db.session.scalars(select(Invitation.unit_id).filter_by(round_id=round_.id)))
    assert east_new.id in invited and len(invited) == 4
    (entry,) = audit_actions(db, "send invitations")
    assert (entry.region, entry.after) == ("Itä-Suomi", {"queued": 3})
    result = runner.invoke(args=["invitations", "send", "kevat"])  # the CLI: the rest
    assert "Queued 2 invitations" in result.output
    assert queued(db, "invitation") == ["E1", "E2", "E3", "L1", "L2"]


def test_sending_for_a_closed_round_is_refused_in_the_admins_language(client, db, setup):
    round_ = db.session.scalar(select(Round))
    round_.state, round_.closed_at = "closed", utcnow()
    db.session.commit()
    login(client, "paa@example.fi", PASSWORD)
    assert 'id="send-form"' not in page_text(client, "/admin/rounds/kevat?lang=en")
    assert act(client, "/admin/rounds/kevat/send").status_code == 303
    page = page_text(client)
    assert "Not done: The round is not open." in page
    assert "once it is open" not in page  # not the command line's English
    assert queued(db, "invitation") == []
    assert audit_actions(db, "send invitations") == []


def test_refusals_never_show_the_services_english(client, db, setup):
    login(client, "ita@example.fi", PASSWORD)
    act(client, "/admin/rounds/kevat/units/E1/email", email="ei osoite")
    page = page_text(client)
    assert "Ei tehty:" in page and "invalid email" not in page
    invitation = db.session.scalar(select(Invitation).join(Unit).where(Unit.code == "E2"))
    invitation.submitted_at = utcnow()
    db.session.commit()
    client.get("/admin/?lang=en")  # the message is worded when the action is refused
    act(client, "/admin/rounds/kevat/units/E2/resend")
    page = page_text(client)
    assert "Not done: The unit has already submitted its answers." in page
    assert "'E2' has already submitted" not in page


def reminders_of(db, code):
    return db.session.scalar(
        select(func.count(OutboxMessage.id))
        .join(OutboxMessage.invitation)
        .join(Unit)
        .where(OutboxMessage.kind == "reminder", Unit.code == code)
    )


def test_remind_all_twice_reminds_each_unit_once_and_says_so(client, db, setup):
    login(client, "paa@example.fi", PASSWORD)
    client.get("/admin/?lang=en")  # the messages are worded when the action is done
    assert act(client, "/admin/rounds/kevat/remind", which="all").status_code == 303
    assert "3 reminders queued." in page_text(client)
    act(client, "/admin/rounds/kevat/remind", which="all")  # pressed again at once
    page = page_text(client)
    assert "0 reminders queued. 3 units that have not submitted were left out" in page
    assert [reminders_of(db, code) for code in ("E1", "E2", "L1")] == [1, 1, 1]
    assert [e.after for e in audit_actions(db, "remind")] == [{"queued": 3}]
    # Chosen by name, a unit is reminded again.
    act(client, "/admin/rounds/kevat/remind", which="selected", unit=["E1"])
    assert [reminders_of(db, code) for code in ("E1", "E2", "L1")] == [2, 1, 1]
    # A day later "remind all" reaches everyone again.
    db.session.execute(
        update(OutboxMessage).values(created_at=utcnow() - timedelta(days=1, minutes=1))
    )
    db.session.commit()
    act(client, "/admin/rounds/kevat/remind", which="all")
    assert [reminders_of(db, code) for code in ("E1", "E2", "L1")] == [3, 2, 2]
    assert [e.after for e in audit_actions(db, "remind")] == [
        {"queued": 3},
        {"queued": 1},
        {"queued": 3},
    ]


def test_remind_all_leaves_out_only_the_units_just_mailed(client, db, setup):
    login(client, "ita@example.fi", PASSWORD)
    client.get("/admin/?lang=en")
    act(client, "/admin/rounds/kevat/remind", which="selected", unit=["E1"])
    page_text(client)  # its message shown
    act(client, "/admin/rounds/kevat/remind", which="all")
    assert [reminders_of(db, code) for code in ("E1", "E2", "L1")] == [1, 1, 0]
    (_first, second) = audit_actions(db, "remind")
    assert second.after == {"queued": 1, "skipped": 1}
    page = page_text(client)
    assert "1 reminders queued. 1 units that have not submitted were left out" in page
