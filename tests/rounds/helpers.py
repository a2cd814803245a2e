"""Helpers of the round pages' tests: post a form with the CSRF token, a new round's
form data, deadlines as the form shows them, and what the database says afterwards."""

from datetime import timedelta

from sqlalchemy import select

from survey_app.models import AuditEntry, Round
from survey_app.models.types import utcnow
from survey_app.timeutil import to_local
from tests.helpers import CSRF_RE


def csrf(client) -> str:
    return CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf(client), **data})


def local(moment):
    value = to_local(moment)
    return value.strftime("%Y-%m-%d"), value.strftime("%H:%M")


def new_round(**changes):
    date, _time = local(utcnow() + timedelta(days=30))
    data = {
        "title": "Kevään kartoitus",
        "title_sv": "Vårens kartläggning",
        "title_en": "",
        "slug": "kevat-2099",
        "deadline_date": date,
        "deadline_time": "16:00",
        "questionnaires": ["criteria:2"],
        "reminder_days": "7, 2",
    }
    data.update(changes)
    return data


def audit_actions(db):
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def fresh_round(db, slug):
    db.session.expire_all()
    return db.session.scalar(select(Round).filter_by(slug=slug))
