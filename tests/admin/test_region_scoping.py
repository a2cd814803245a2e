"""The region rule, walked: a regional admin's every admin page shows nothing of other
regions. New admin pages are picked up from the URL map, so they are walked too."""

import pytest

from tests.admin.test_accounts import PASSWORD, create, login
from tests.factories import make_invitation, make_round, make_unit

OTHER_REGION_MARKS = ("Lapin salainen yksikkö", "salainen@lappi.example.fi")


@pytest.fixture
def two_regions(runner, db):
    round_ = make_round(slug="kevat")
    make_invitation(round_=round_, unit=make_unit(name="Itäinen yksikkö", region="Itä-Suomi"))
    make_invitation(
        round_=round_,
        unit=make_unit(
            name=OTHER_REGION_MARKS[0], contact_email=OTHER_REGION_MARKS[1], region="Lappi"
        ),
    )
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")
    return round_


def admin_get_urls(app, slug):
    """Every GET page of the admin blueprints, with its parameters filled in."""
    values = {"slug": slug}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin") or "GET" not in rule.methods:
            continue
        if set(rule.arguments) - set(values):
            continue  # e.g. a reset token: no page of any region behind it
        urls.append(rule.build({k: v for k, v in values.items() if k in rule.arguments})[1])
    return urls


def test_a_regional_admin_sees_nothing_of_other_regions(app, client, db, two_regions):
    login(client, "ita@example.fi", PASSWORD)
    urls = admin_get_urls(app, "kevat")
    assert "/admin/rounds/kevat" in urls and "/admin/" in urls
    for url in urls:
        page = client.get(url)
        assert page.status_code < 500, url
        html = page.get_data(as_text=True)
        for mark in OTHER_REGION_MARKS:
            assert mark not in html, f"{url} shows {mark!r}"


def test_the_walk_can_fail_the_national_admin_sees_them(app, client, db, two_regions):
    login(client, "paa@example.fi", PASSWORD)
    html = client.get("/admin/rounds/kevat").get_data(as_text=True)
    assert all(mark in html for mark in OTHER_REGION_MARKS)
