"""The audit log's filters: action (from the data), admin, Helsinki date range; invalid
dates answered with a clear message; a regional admin's choices come from its entries."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from survey_app.models import Admin, AuditEntry
from tests.helpers import PASSWORD, create, login


@pytest.fixture
def entries(runner, db):
    from tests.factories import make_unit

    make_unit(region="Itä-Suomi")
    make_unit(region="Lappi")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    national = db.session.scalar(select(Admin).filter_by(email="paa@example.fi"))
    regional = db.session.scalar(select(Admin).filter_by(email="ita@example.fi"))
    rows = [
        # 2027-03-30 23:30 in Helsinki (UTC+3 from 28 March)
        (national, "remind", "target-early", "Itä-Suomi", datetime(2027, 3, 30, 20, 30)),
        # 2027-03-31 01:30 in Helsinki, still 30 March in UTC
        (regional, "resend invitation", "target-late", "Itä-Suomi", datetime(2027, 3, 30, 22, 30)),
        (national, "lapland only", "target-lappi", "Lappi", datetime(2027, 4, 2, 9, 0)),
    ]
    for admin, action, target, region, at in rows:
        entry = AuditEntry.record(admin, action, target, region)
        entry.at = at.replace(tzinfo=UTC)
    db.session.commit()


def targets(client, query=""):
    response = client.get(f"/admin/audit{query}")
    found = sorted(set(re.findall(r"target-\w+", response.get_data(as_text=True))))
    return response.status_code, found


def test_filters_by_action_admin_and_helsinki_dates(client, db, entries):
    login(client, "paa@example.fi", PASSWORD)
    assert targets(client) == (200, ["target-early", "target-lappi", "target-late"])
    assert targets(client, "?action=remind") == (200, ["target-early"])
    assert targets(client, "?admin=ita@example.fi") == (200, ["target-late"])
    # Helsinki days: 01:30 on 31 March belongs to the 31st though UTC says the 30th.
    assert targets(client, "?to=2027-03-30") == (200, ["target-early"])
    assert targets(client, "?from=2027-03-31&to=2027-03-31") == (200, ["target-late"])
    assert targets(client, "?from=2027-03-31") == (200, ["target-lappi", "target-late"])
    assert targets(client, "?from=2027-03-31&action=remind") == (200, [])
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="lapland only">' in html  # actions come from the data


@pytest.mark.parametrize(
    "query", ["?from=31.3.2027", "?to=2027-02-30", "?from=0001-01-01", "?to=9999-12-31"]
)
def test_an_invalid_date_is_a_clear_message_not_an_error(client, db, entries, query):
    login(client, "paa@example.fi", PASSWORD)
    response = client.get(f"/admin/audit{query}&lang=en")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and "YYYY-MM-DD" in html
    assert 'aria-invalid="true"' in html


def test_a_start_after_the_end_is_refused(client, db, entries):
    login(client, "paa@example.fi", PASSWORD)
    response = client.get("/admin/audit?from=2027-04-02&to=2027-03-01&lang=en")
    assert response.status_code == 422
    assert "The end date is before the start date." in response.get_data(as_text=True)


def test_a_regional_admin_sees_and_chooses_only_its_entries(client, db, entries):
    login(client, "ita@example.fi", PASSWORD)
    assert targets(client) == (200, ["target-early", "target-late"])
    assert targets(client, "?action=lapland+only") == (200, [])
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "lapland only" not in html
    assert '<option value="remind">' in html
