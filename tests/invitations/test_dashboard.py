"""A round's dashboard: rates overall, by region and field, the missing units; a
regional admin sees only its region in every number and list."""

import re

import pytest

from survey_app.formatting import percent
from survey_app.invitations.status import counts
from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import PASSWORD, create, form_fields, login


@pytest.fixture
def round_with_answers(runner, client, db):
    round_ = make_round(slug="kevat")
    units = {
        "east_done": make_unit(name="Itäinen valmis", region="Itä-Suomi", field="Lastensuojelu"),
        "east_open": make_unit(name="Itäinen kesken", region="Itä-Suomi", field="Päihdepalvelut"),
        "north": make_unit(name="Pohjoinen kesken", region="Pohjois-Suomi", field="Lastensuojelu"),
    }
    links = {key: make_invitation(round_=round_, unit=unit)[1] for key, unit in units.items()}
    fields = form_fields(client.get(links["east_done"]).get_data(as_text=True))
    client.post(links["east_done"], data={**fields, "action": "submit", "k1_1": "yes"})
    client.get(links["north"])  # opened, not answered
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    return round_


def dashboard(client, email):
    assert login(client, email, PASSWORD).status_code == 303
    page = client.get("/admin/rounds/kevat")
    assert page.status_code == 200
    return re.sub(r"\s+", " ", page.get_data(as_text=True))


def row(html, label):
    match = re.search(rf"<th scope=\"row\">{label}</th><td>(\d+)</td>", html)
    return int(match.group(1)) if match else None


def test_the_national_admin_sees_every_unit(client, db, round_with_answers):
    html = dashboard(client, "paa@example.fi")
    assert row(html, "Kutsuttu") == 3
    assert row(html, "Vastanneet") == 1
    assert row(html, "Avannut linkin") == 2
    assert "Pohjois-Suomi" in html and "Itä-Suomi" in html
    assert "Itäinen kesken" in html and "Pohjoinen kesken" in html
    assert "Itäinen valmis" not in html  # it submitted: not in the missing list
    assert "Ei vielä vastannut (2)" in html


def test_a_regional_admin_sees_only_its_region(client, db, round_with_answers):
    html = dashboard(client, "ita@example.fi")
    assert row(html, "Kutsuttu") == 2
    assert row(html, "Vastanneet") == 1
    assert row(html, "Avannut linkin") == 1
    assert "Pohjois-Suomi" not in html and "Pohjoinen kesken" not in html
    assert "Ei vielä vastannut (1)" in html
    assert "50 %" in html


def test_the_start_page_links_the_dashboard_and_unknown_rounds_are_404(
    client, db, round_with_answers
):
    dashboard(client, "paa@example.fi")
    assert 'href="/admin/rounds/kevat"' in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/rounds/nope").status_code == 404


def test_the_dashboard_needs_a_login(client, db, round_with_answers):
    assert client.get("/admin/rounds/kevat").status_code == 302


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, 0), (1, 2, 50), (1, 3, 33), (2, 3, 67), (1, 8, 13), (33, 36, 92)],
)
def test_percent_is_whole_and_rounded_half_up(part, whole, expected):
    assert percent(part, whole) == expected


def test_without_javascript_the_page_is_complete_with_a_refresh_link(
    client, db, round_with_answers
):
    html = dashboard(client, "paa@example.fi")
    assert '<a href="/admin/rounds/kevat" id="dashboard-refresh">' in html
    assert re.search(r'<span id="dashboard-updated" role="status">[^<]*\d[^<]*</span>', html)
    assert '<script src="/static/admin.js" defer></script>' in html
    for section in ("dashboard-rates", "dashboard-breakdowns", "dashboard-missing"):
        assert f'id="{section}" data-refresh' in html
    with client.get("/static/admin.js") as script:
        assert script.status_code == 200
    respondent_page = client.get("/admin/login").get_data(as_text=True)
    assert "admin.js" not in respondent_page  # only the dashboard loads it


def test_the_chart_says_its_numbers_in_text(client, db, round_with_answers):
    dashboard(client, "paa@example.fi")
    html = re.sub(r"\s+", " ", client.get("/admin/rounds/kevat?lang=en").get_data(as_text=True))
    caption = re.search(r'<figcaption id="stage-chart-caption">(.*?)</figcaption>', html).group(1)
    assert "Invited units (3)" in caption
    assert "Submitted 1, Draft saved 0, Opened, no draft 1, Not opened 1." in caption
    assert 'role="img" aria-labelledby="stage-chart-caption"' in html


def test_a_refresh_fetch_leaves_flashed_messages_for_the_next_page(client, db, round_with_answers):
    dashboard(client, "ita@example.fi")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/rounds/kevat").text)
    client.post("/admin/rounds/kevat/remind", data={"csrf_token": csrf.group(1), "which": "all"})
    refreshed = client.get("/admin/rounds/kevat", headers={"X-Dashboard-Refresh": "1"}).text
    assert "notice--success" not in refreshed
    assert "notice--success" in client.get("/admin/rounds/kevat").text


def test_the_send_button_and_the_outbox_line(client, db, round_with_answers):
    html = dashboard(client, "ita@example.fi")
    assert 'id="send-form"' in html  # two invitations in the region were never mailed
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/admin/rounds/kevat/send", data={"csrf_token": csrf})
    html = re.sub(r"\s+", " ", client.get("/admin/rounds/kevat?lang=en").text)
    assert 'id="send-form"' not in html
    # Two invitations, and the receipt of the unit that submitted.
    assert "3 messages of this round wait in the outbox" in html
    link = re.search(r'href="/admin/outbox\?([^"]+)">See the outbox', html).group(1)
    assert sorted(link.split("&amp;")) == ["round=kevat", "state=queued"]


def test_stages_count_each_invited_unit_once(db):
    """Each invited unit at the furthest stage it reached, counted by the database."""
    round_ = make_round()
    make_unit()  # on the roster, not invited: no stage
    plain, _ = make_invitation(round_=round_)
    opened, _ = make_invitation(round_=round_)
    opened.first_opened_at = utcnow()
    drafting, _ = make_invitation(round_=round_)
    drafting.first_opened_at = utcnow()
    make_response(drafting, {"k1_1": "yes"}, submit=False)
    for draft_after in (True, False):
        submitted, _ = make_invitation(round_=round_)
        submitted.first_opened_at = utcnow()
        make_response(submitted, {"k1_1": "yes"})
        if draft_after:  # changes saved after submitting: still submitted
            make_response(submitted, {"k1_1": "no"}, submit=False)
    db.session.commit()
    assert counts(round_, None).stages == {"submitted": 2, "draft": 1, "opened": 1, "not_opened": 1}


def test_the_units_still_missing_come_a_page_at_a_time(client, db, runner):
    """A national round leaves tens of thousands of units waiting: the page lists 50 at a
    time (each with its forms), the heading counts them all."""
    round_ = make_round(slug="kevat")
    for number in range(120):
        make_invitation(round_=round_, unit=make_unit(code=f"U{number:03d}"))
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    first = client.get("/admin/rounds/kevat").get_data(as_text=True)
    assert "Ei vielä vastannut (120)" in first or "(120)" in first
    assert first.count('name="unit" value=') == 50
    assert 'value="U000"' in first and 'value="U050"' not in first
    assert "Sivu 1/3" in first and 'rel="next"' in first
    third = client.get("/admin/rounds/kevat?page=3").get_data(as_text=True)
    assert third.count('name="unit" value=') == 20 and 'value="U119"' in third
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert client.get("/admin/rounds/kevat?page=x").status_code == 200  # the first page


def test_the_dashboard_takes_the_same_queries_for_any_number_of_units(client, db, runner):
    from sqlalchemy import event

    def statements_for(slug: str) -> int:
        seen = []

        def record(_connection, _cursor, statement, *_args):
            if not statement.startswith("BEGIN"):  # SQLite's, sent as a statement
                seen.append(1)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(f"/admin/rounds/{slug}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    small, large = make_round(slug="pieni"), make_round(slug="suuri")
    make_invitation(round_=small)
    for _ in range(80):
        make_invitation(round_=large)
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    client.get("/admin/rounds/pieni")  # the first page a process draws reads what it caches
    # the admin, the round, the counts, the waiting mail, the page of units (two), the
    # timeline's hours
    assert statements_for("pieni") == statements_for("suuri") <= 7
