"""The region rule, walked: a regional admin's every admin page shows nothing of other
regions, and every URL that names another region's unit or message answers 404. Every
page under /admin (report, exports and directory included) is picked up from the URL
map, so new pages are walked too."""

import io
from datetime import timedelta

import docx
import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from survey_app.extensions import db as _db
from survey_app.invitations.mailing import queue_invitations
from survey_app.models import AuditEntry, OutboxMessage, Unit
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import CSRF_RE, PASSWORD, create, login

OTHER_REGION_MARKS = ("Lapin salainen yksikkö", "salainen@lappi.example.fi", "LAP-1", "Lappi")
# URL parameters the walk knows how to fill; a rule with any other parameter (a reset
# token) has no page of any region behind it.
KNOWN = {"slug", "code", "message_id", "format_"}
EXPORT_FORMATS = ("csv", "xlsx", "json")


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
    own_invitation, _link = make_invitation(round_=round_, unit=own)
    other_invitation, _link = make_invitation(round_=round_, unit=other)
    queue_invitations(round_)
    # Both units answered: reports, exports and the directory have the other's data.
    make_response(own_invitation, {"k1_1": "yes", "kehy_name": "Itäinen profiili"})
    make_response(other_invitation, {"k1_1": "no", "kehy_name": OTHER_REGION_MARKS[0]})
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
        if rule.rule.startswith("/admin") and method in rule.methods:
            if not set(rule.arguments) - KNOWN:
                yield rule


def admin_urls(app, values) -> list[str]:
    """Every GET URL under /admin, an export once in each format."""
    urls = []
    for rule in admin_rules(app, "GET"):
        formats = EXPORT_FORMATS if "format_" in rule.arguments else (None,)
        urls += [build(rule, {**values, "format_": format_}) for format_ in formats]
    return urls


def page_text(page) -> str:
    """What a page or download says: the cells of a spreadsheet, the paragraphs of a
    Word document, the text of a PDF, else the body as text."""
    body = page.get_data()
    kind = page.mimetype or ""
    if kind.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = (c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
        return "\n".join(str(cell) for cell in cells if cell is not None)
    if kind.endswith("wordprocessingml.document"):
        return "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    if kind == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8-sig")


def build(rule, values) -> str:
    return rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]


def test_a_regional_admin_sees_nothing_of_other_regions(app, client, db, two_regions):
    own, _other = two_regions
    login(client, "ita@example.fi", PASSWORD)
    urls = admin_urls(app, own)
    for expected in (
        "/admin/",
        "/admin/rounds/kevat",
        "/admin/units/ITA-1/edit",
        "/admin/rounds/kevat/report",
        "/admin/rounds/kevat/export.xlsx",
        "/admin/directory.docx",
        "/admin/rounds/kevat/report.pdf",
        "/admin/directory.pdf",
        "/admin/rounds/kevat/answers",
    ):
        assert expected in urls
    assert f"/admin/outbox/{own['message_id']}" in urls
    for url in urls:
        page = client.get(url)
        assert page.status_code < 500, url
        text = page_text(page)
        for mark in OTHER_REGION_MARKS:
            assert mark not in text, f"{url} shows {mark!r}"


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
    seen = {url: page_text(client.get(url)) for url in admin_urls(app, other)}
    for mark in OTHER_REGION_MARKS:
        assert any(mark in text for text in seen.values()), mark
    for url in (
        "/admin/rounds/kevat/report",
        "/admin/rounds/kevat/report.pdf",
        "/admin/directory",
        "/admin/directory.pdf",
        "/admin/rounds/kevat",
    ):
        assert "Lappi" in seen[url], url
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
        for url in admin_urls(app, values):
            assert client.get(url).status_code == 200, url
    client.post("/admin/logout", data={"csrf_token": csrf_of(client)})
    login(client, "ita@example.fi", PASSWORD)
    for url in admin_urls(app, own):
        assert client.get(url).status_code in (200, 403), url


def csrf_of(client) -> str:
    return CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)
