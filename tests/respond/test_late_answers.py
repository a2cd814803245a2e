"""One unit let answer late: it saves and submits after the deadline until its time;
every other unit stays closed, the permission expires, and nobody is reminded."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db as _db
from survey_app.invitations.auto_reminders import queue_due_reminders
from survey_app.invitations.mailing import (
    queue_reminders,
    reissue_and_mail,
    resend_invitation,
)
from survey_app.models import Answer, Invitation, OutboxMessage, Response
from survey_app.models.types import utcnow
from survey_app.outbox.worker import Worker
from survey_app.refusals import Refused
from survey_app.respond.form_key import form_key
from survey_app.rounds.late import allow_late
from survey_app.rounds.services import extend_deadline
from tests.factories import make_invitation, make_round
from tests.helpers import form_fields


@pytest.fixture
def past_deadline(db):
    """An open round whose deadline passed an hour ago; unit A may answer for a day."""
    round_ = make_round(deadline=utcnow() - timedelta(hours=1))
    round_.reminder_days = [1]
    late, late_link = make_invitation(round_=round_)
    other, other_link = make_invitation(round_=round_)
    allow_late(late, utcnow() + timedelta(days=1))
    db.session.commit()
    return round_, late, late_link, other, other_link


def late_until(db, invitation):
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id).late_until


def test_the_late_unit_saves_and_submits_after_the_deadline(client, db, past_deadline):
    round_, late, link, _other, _other_link = past_deadline
    page = client.get(link)
    assert page.status_code == 200
    assert 'name="action" value="submit"' in page.get_data(as_text=True)
    fields = form_fields(page.get_data(as_text=True))
    saved = client.post(link, data={**fields, "action": "save", "k1_1": "planned"})
    assert saved.status_code == 303
    fields = form_fields(client.get(link).get_data(as_text=True))
    done = client.post(
        link, data={**fields, "action": "submit", "k1_1": "yes", "kehy_name": "Myöhäinen"}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    assert client.get(link + "/done").status_code == 200
    assert db.session.scalar(select(Answer.value).where(Answer.item_code == "k1_1")) == "yes"
    assert db.session.get(Invitation, late.id).submitted_at is not None


def test_another_unit_stays_closed(client, db, past_deadline):
    _round, _late, _link, other, other_link = past_deadline
    page = client.get(other_link)
    assert page.status_code == 200
    assert 'name="action"' not in page.get_data(as_text=True)  # the closed page
    refused = client.post(other_link, data={"action": "submit", "k1_1": "yes"})
    assert refused.status_code in (400, 403)  # no form token to send: either way refused
    fields = form_fields(client.get(past_deadline[2]).get_data(as_text=True))
    borrowed = client.post(other_link, data={**fields, "action": "submit", "k1_1": "yes"})
    assert borrowed.status_code == 400  # the late unit's form carries its own link's key
    fields["csrf_token"] = form_key(other_link.removeprefix("/r/"))
    forged = client.post(other_link, data={**fields, "action": "submit", "k1_1": "yes"})
    assert forged.status_code == 403  # the right key still opens no closed round
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_the_permission_expires(client, db, past_deadline):
    _round, late, link, _other, _other_link = past_deadline
    fields = form_fields(client.get(link).get_data(as_text=True))
    invitation = db.session.get(Invitation, late.id)
    invitation.late_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    refused = client.post(link, data={**fields, "action": "save", "k1_1": "yes"})
    assert refused.status_code == 403
    assert 'name="action"' not in client.get(link).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_an_explicit_close_stops_the_late_unit_too(client, db, past_deadline):
    round_, late, link, _other, _other_link = past_deadline
    fields = form_fields(client.get(link).get_data(as_text=True))
    round_.state = "closed"
    round_.closed_at = utcnow()
    db.session.commit()
    assert client.post(link, data={**fields, "action": "save"}).status_code == 403
    with pytest.raises(Refused):
        allow_late(db.session.get(Invitation, late.id), utcnow() + timedelta(days=2))
    with pytest.raises(Refused):
        extend_deadline(round_, utcnow() + timedelta(days=2))


def test_a_late_unit_is_not_reminded(db, past_deadline):
    round_, *_ = past_deadline
    assert queue_due_reminders() == []
    with pytest.raises(Refused):
        queue_reminders(round_)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_late_permission_rules(app, db, past_deadline):
    round_, late, *_ = past_deadline
    invitation = db.session.get(Invitation, late.id)
    for until in (
        utcnow() - timedelta(minutes=1),  # passed
        round_.deadline - timedelta(minutes=1),  # before the deadline
        round_.deadline + timedelta(days=app.config["TOKEN_DAYS_AFTER_CLOSE"] + 1),
    ):
        with pytest.raises(Refused):
            allow_late(invitation, until)
    allow_late(invitation, None)
    _db.session.commit()
    assert late_until(db, late) is None


def test_a_late_unit_can_be_mailed_its_link_again_and_nobody_else(
    app, db, past_deadline, tmp_path, monkeypatch
):
    _round, late, _late_link, other, _other_link = past_deadline
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    for mail_again in (resend_invitation, reissue_and_mail):
        mail_again(late)
        with pytest.raises(Refused):
            mail_again(other)
        db.session.commit()
        Worker().run_once()
    _db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status).filter_by(invitation_id=late.id))
    assert sorted(statuses) == ["sent", "sent"]
    assert len(list(tmp_path.glob("*.eml"))) == 2
