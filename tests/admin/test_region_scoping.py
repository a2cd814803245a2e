"""The region rule, walked: a regional admin's every admin page shows nothing of other
regions, and every URL that names another region's unit or message answers 404. New
admin pages are picked up from the URL map, so they are walked too."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db as _db
from survey_app.invitations.mailing import queue_invitations
from survey_app.models import AuditEntry, OutboxMessage, Unit
from tests.admin.test_accounts import PASSWORD, create, login
from tests.factories import make_invitation, make_round, make_unit

OTHER_REGION_MARKS = ("Lapin salainen yksikkö", "salainen@lappi.example.fi", "LAP-1")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# URL parameters the walk knows how to fill; a rule with any other parameter (a reset
# token) has no page of any region behind it.
KNOWN = {"slug", "code", "message_id"}


@pytest.fixture
def two_regions(runner, db):
    round_ = make_round(slug="kevat")
    own = make_unit(code="ITA-1", name="Itäinen yksikkö", region="Itä-Suomi")
    other = make_unit(
        code=OTHER_REGION_MARKS[2],
        name=OTHER_REGION_MARKS[0],
        contact_email=OTHER_REGION_MARKS[1],
        region="Lappi",
    )
    make_invitation(round_=round_, unit=own)
    other_invitation, _link = make_invitation(round_=round_, unit=other)
    queue_invitations(round_)
    # Traces of the other region on the pages that list more than units: a late
    # permission (round manage page) and an audit entry (audit log).
    other_invitation.late_until = round_.deadline + timedelta(days=3)
    db.session.add(
        AuditEntry(
            admin_email="lappi@example.fi",
            action="edit unit",
            target=f"unit {other.code}",
            region="Lappi",
            before={"contact_email": OTHER_REGION_MARKS[1]},
        )
    )
    db.session.commit()
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")

    def values(unit: Unit) -> dict:
        message = db.session.scalar(
            select(OutboxMessage.id).join(OutboxMessage.invitation).filter_by(unit_id=unit.id)
        )
        return {"slug": "kevat", "code": unit.code, "message_id": message}

    return values(own), values(other)


def admin_rules(app, method):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin") and method in rule.methods:
            if not set(rule.arguments) - KNOWN:
                yield rule


def build(rule, values) -> str:
    return rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]


def test_a_regional_admin_sees_nothing_of_other_regions(app, client, db, two_regions):
    own, _other = two_regions
    login(client, "ita@example.fi", PASSWORD)
    urls = [build(rule, own) for rule in admin_rules(app, "GET")]
    for expected in ("/admin/", "/admin/rounds/kevat", "/admin/units/ITA-1/edit"):
        assert expected in urls
    assert f"/admin/outbox/{own['message_id']}" in urls
    for url in urls:
        page = client.get(url)
        assert page.status_code < 500, url
        html = page.get_data(as_text=True)
        for mark in OTHER_REGION_MARKS:
            assert mark not in html, f"{url} shows {mark!r}"


def test_every_url_naming_another_regions_unit_or_message_is_404(app, client, db, two_regions):
    own, other = two_regions
    login(client, "ita@example.fi", PASSWORD)
    csrf = CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)
    audited = db.session.scalar(select(func.count(AuditEntry.id)))
    walked = 0
    for method in ("GET", "POST"):
        for rule in admin_rules(app, method):
            if not {"code", "message_id"} & set(rule.arguments):
                continue
            url = build(rule, other)
            if method == "GET":
                answer = client.get(url)
            else:
                answer = client.post(url, data={"csrf_token": csrf, "email": "x@example.fi"})
            assert answer.status_code == 404, f"{method} {url}: {answer.status_code}"
            walked += 1
    # Forms that name the unit in their body rather than in the URL.
    late = client.post(
        "/admin/rounds/kevat/late",
        data={
            "csrf_token": csrf,
            "late_unit": other["code"],
            "late_date": "2099-01-01",
            "late_time": "12:00",
        },
    )
    assert late.status_code == 404
    remind = client.post(
        "/admin/rounds/kevat/remind",
        data={"csrf_token": csrf, "which": "selected", "unit": other["code"]},
    )
    assert remind.status_code == 404
    assert walked >= 8  # unit edit/deactivate/..., resend/reissue/email, message, retry
    _db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audited
    assert own["code"] != other["code"]


def test_the_walk_can_fail_the_national_admin_sees_them(app, client, db, two_regions):
    _own, other = two_regions
    login(client, "paa@example.fi", PASSWORD)
    html = client.get("/admin/rounds/kevat").get_data(as_text=True)
    assert all(mark in html for mark in OTHER_REGION_MARKS)
    assert OTHER_REGION_MARKS[0] in client.get("/admin/rounds/kevat/manage").get_data(as_text=True)
    assert OTHER_REGION_MARKS[1] in client.get("/admin/audit").get_data(as_text=True)
    assert client.get(f"/admin/units/{other['code']}/edit").status_code == 200
    assert client.get(f"/admin/outbox/{other['message_id']}").status_code == 200


def test_every_admin_page_answers_both_roles(app, client, db, two_regions):
    """Each GET page works for the national admin with either region's values, and for
    the regional admin with its own (the pages that are national-only say so, 403)."""
    own, other = two_regions
    login(client, "paa@example.fi", PASSWORD)
    for values in (own, other):
        for rule in admin_rules(app, "GET"):
            url = build(rule, values)
            assert client.get(url).status_code == 200, url
    client.post("/admin/logout", data={"csrf_token": csrf_of(client)})
    login(client, "ita@example.fi", PASSWORD)
    for rule in admin_rules(app, "GET"):
        url = build(rule, own)
        assert client.get(url).status_code in (200, 403), url


def csrf_of(client) -> str:
    return CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)
