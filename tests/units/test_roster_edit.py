"""One unit from the browser: add, edit, deactivate, reactivate, delete; the importer's
rules, the region rule (404 for another region's unit, refusal of another region's
data), CSRF, and an audit entry for every change."""

import re

import pytest
from sqlalchemy import func, select

from survey_app.invitations.services import units_of_round
from survey_app.models import AuditEntry, Unit
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import CSRF_RE, create, login

VERSION_RE = re.compile(r'name="version"[^>]*value="([^"]*)"')

GOOD = {
    "code": "UUSI1",
    "name": "Uusi yksikkö",
    "field": "Lastensuojelu",
    "status": "active",
    "region": "Itä-Suomi",
    "municipality": "Kuopio",
    "contact_name": "Uusi Ihminen",
    "contact_email": "uusi@kehy.fi",
    "language": "fi",
}


@pytest.fixture
def roster(runner, db):
    round_ = make_round(slug="kevat")
    invited = make_unit(code="E1", name="Itäinen", region="Itä-Suomi")
    make_invitation(round_=round_, unit=invited)
    make_unit(code="E2", name="Toinen itäinen", region="Itä-Suomi")
    make_unit(code="L1", name="Lapin yksikkö", region="Lappi", contact_email="l1@lappi.fi")
    db.session.commit()
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def post_form(client, url, data, form_url=None):
    html = page(client, form_url or url)
    fields = {"csrf_token": CSRF_RE.search(html).group(1)}
    version = VERSION_RE.search(html)
    if version:
        fields["version"] = version.group(1)
    return client.post(url, data={**fields, **data})


def unit(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Unit).filter_by(code=code))


def entries(db, action=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def count(db):
    return db.session.scalar(select(func.count()).select_from(Unit))


# --- add ---------------------------------------------------------------------------------


def test_the_units_page_links_to_adding_uploading_and_each_unit(client, db, roster):
    login(client, "paa@example.fi")
    html = page(client, "/admin/units")
    assert 'href="/admin/units/new"' in html and 'href="/admin/units/upload"' in html
    assert 'href="/admin/units/E1/edit"' in html


def test_a_national_admin_adds_a_unit_normalised_like_an_import(client, db, roster):
    login(client, "paa@example.fi")
    values = {
        **GOOD,
        "code": " UUSI1 ",
        "status": "varsinainen",
        "region": "Lappi",
        "contact_email": " Uusi@KEHY.FI ",
    }
    done = post_form(client, "/admin/units/new", values)
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/units/UUSI1/edit")
    added = unit(db, "UUSI1")
    assert (added.status, added.region, added.contact_email) == ("active", "Lappi", "Uusi@kehy.fi")
    assert added.deactivated_at is None
    (entry,) = entries(db)
    assert (entry.action, entry.target, entry.region, entry.admin_email) == (
        "add unit",
        "unit UUSI1",
        "Lappi",
        "paa@example.fi",
    )
    assert entry.after["contact_email"] == "Uusi@kehy.fi" and entry.before is None
    assert "UUSI1" in page(client, "/admin/units/UUSI1/edit")
    assert "UUSI1" in page(client, "/admin/units")


def test_invalid_values_are_named_on_their_fields_and_nothing_is_written(client, db, roster):
    login(client, "paa@example.fi")
    client.get("/admin/units?lang=en")
    before = count(db)
    bad = {
        **GOOD,
        "code": "K" * 65,
        "name": "",
        "status": "lakkautettu",
        "contact_email": "ei osoite",
        "language": "de",
        "municipality": "Kuo\npio",
    }
    refused = post_form(client, "/admin/units/new", bad)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    for name in ("code", "name", "status", "contact_email", "language", "municipality"):
        assert f'id="{name}-error"' in html, name
    assert 'id="field-error"' not in html and 'id="region-error"' not in html
    assert "Fill in this field." in html
    assert "at most 32 characters" in html
    assert 'class="error-summary"' in html
    assert count(db) == before and entries(db) == []


def test_a_code_in_use_is_refused(client, db, roster):
    login(client, "paa@example.fi")
    refused = post_form(client, "/admin/units/new", {**GOOD, "code": "L1"})
    assert refused.status_code == 422
    assert 'id="code-error"' in refused.get_data(as_text=True)
    assert unit(db, "L1").name == "Lapin yksikkö"


def test_a_regional_admin_adds_only_in_its_region(client, db, roster):
    login(client, "ita@example.fi")
    html = page(client, "/admin/units/new")
    assert re.search(r'id="region"[^>]*readonly', html) or re.search(
        r'readonly[^>]*id="region"', html
    )
    assert 'value="Itä-Suomi"' in html
    refused = post_form(client, "/admin/units/new", {**GOOD, "region": "Lappi"})
    assert refused.status_code == 403
    assert 'id="region-error"' in refused.get_data(as_text=True)
    assert unit(db, "UUSI1") is None and entries(db) == []
    done = post_form(client, "/admin/units/new", GOOD)
    assert done.status_code == 303
    assert unit(db, "UUSI1").region == "Itä-Suomi"
    assert [e.region for e in entries(db)] == ["Itä-Suomi"]


def test_a_code_with_dots_and_dashes_has_its_own_page(client, db, roster):
    login(client, "paa@example.fi")
    done = post_form(client, "/admin/units/new", {**GOOD, "code": "KEHY.7_b-1"})
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/units/KEHY.7_b-1/edit")
    html = page(client, done.headers["Location"])
    assert 'id="unit-code">KEHY.7_b-1<' in html


# --- edit --------------------------------------------------------------------------------


def test_editing_changes_only_what_changed_and_audits_before_and_after(client, db, roster):
    login(client, "ita@example.fi")
    html = page(client, "/admin/units/E2/edit")
    assert 'name="code"' not in html  # the code is the unit's identity
    values = {**GOOD, "code": "HACK", "name": "Uusi nimi", "contact_email": "uusi@e2.fi"}
    old = unit(db, "E2")
    values["contact_name"], values["municipality"] = old.contact_name, old.municipality
    old_email = old.contact_email
    done = post_form(client, "/admin/units/E2/edit", values)
    assert done.status_code == 303
    edited = unit(db, "E2")
    assert (edited.code, edited.name, edited.contact_email) == ("E2", "Uusi nimi", "uusi@e2.fi")
    assert unit(db, "HACK") is None
    (entry,) = entries(db)
    assert (entry.action, entry.target, entry.region) == ("edit unit", "unit E2", "Itä-Suomi")
    assert entry.before == {"name": "Toinen itäinen", "contact_email": old_email}
    assert entry.after == {"name": "Uusi nimi", "contact_email": "uusi@e2.fi"}


def test_saving_unchanged_values_writes_nothing(client, db, roster):
    login(client, "paa@example.fi")
    e2 = unit(db, "E2")
    same = {name: getattr(e2, name) for name in GOOD if name != "code"}
    assert post_form(client, "/admin/units/E2/edit", same).status_code == 303
    assert entries(db) == []


def test_edit_validation_is_422_and_keeps_the_stored_values(client, db, roster):
    login(client, "paa@example.fi")
    refused = post_form(client, "/admin/units/E2/edit", {**GOOD, "contact_email": "@"})
    assert refused.status_code == 422
    assert 'id="contact_email-error"' in refused.get_data(as_text=True)
    assert unit(db, "E2").name == "Toinen itäinen" and entries(db) == []


def test_a_regional_admin_cannot_move_a_unit_to_another_region(client, db, roster):
    login(client, "ita@example.fi")
    refused = post_form(client, "/admin/units/E2/edit", {**GOOD, "region": "Lappi"})
    assert refused.status_code == 403
    assert 'id="region-error"' in refused.get_data(as_text=True)
    assert unit(db, "E2").region == "Itä-Suomi" and entries(db) == []


def test_a_national_admin_moves_a_unit_and_both_regions_see_it(client, db, roster):
    login(client, "paa@example.fi")
    done = post_form(client, "/admin/units/E2/edit", {**GOOD, "region": "Lappi"})
    assert done.status_code == 303
    assert unit(db, "E2").region == "Lappi"
    assert sorted(e.region for e in entries(db)) == ["Itä-Suomi", "Lappi"]


def test_a_change_made_meanwhile_is_not_overwritten(client, db, roster):
    login(client, "paa@example.fi")
    html = page(client, "/admin/units/E2/edit")
    csrf = CSRF_RE.search(html).group(1)
    version = VERSION_RE.search(html).group(1)
    unit(db, "E2").name = "Joku muu muutti"
    db.session.commit()
    refused = client.post(
        "/admin/units/E2/edit",
        data={**GOOD, "name": "Minun nimeni", "csrf_token": csrf, "version": version},
    )
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'id="conflict"' in html and "Joku muu muutti" in html
    assert unit(db, "E2").name == "Joku muu muutti"


# --- deactivate, reactivate, delete ------------------------------------------------------


def test_deactivate_and_reactivate_are_audited_and_decide_new_rounds(client, db, roster):
    login(client, "ita@example.fi")
    url = "/admin/units/E1/edit"
    assert post_form(client, "/admin/units/E1/deactivate", {}, url).status_code == 303
    assert unit(db, "E1").deactivated_at is not None
    assert "E1" not in [u.code for u in units_of_round(make_round(slug="syksy"))]
    assert 'id="reactivate"' in page(client, url)
    assert "Itäinen" not in page(client, "/admin/units")
    assert "Itäinen" in page(client, "/admin/units?deactivated=1")
    assert post_form(client, "/admin/units/E1/reactivate", {}, url).status_code == 303
    assert unit(db, "E1").deactivated_at is None
    assert "E1" in [u.code for u in units_of_round(make_round(slug="talvi"))]
    actions = [(e.action, e.region, e.before, e.after) for e in entries(db)]
    assert actions == [
        ("deactivate unit", "Itä-Suomi", {"deactivated": False}, {"deactivated": True}),
        ("reactivate unit", "Itä-Suomi", {"deactivated": True}, {"deactivated": False}),
    ]


def test_an_invited_unit_is_never_deleted(client, db, roster):
    login(client, "paa@example.fi")
    html = page(client, "/admin/units/E1/edit")
    assert 'id="delete"' not in html and 'id="no-delete"' in html
    refused = post_form(client, "/admin/units/E1/delete", {}, "/admin/units/E1/edit")
    assert refused.status_code == 409
    assert unit(db, "E1") is not None and entries(db) == []


def test_a_never_invited_unit_can_be_deleted(client, db, roster):
    login(client, "ita@example.fi")
    assert 'id="delete"' in page(client, "/admin/units/E2/edit")
    done = post_form(client, "/admin/units/E2/delete", {}, "/admin/units/E2/edit")
    assert done.status_code == 303
    assert unit(db, "E2") is None
    (entry,) = entries(db)
    assert (entry.action, entry.region, entry.after) == ("delete unit", "Itä-Suomi", None)
    assert entry.before["name"] == "Toinen itäinen"


# --- the region rule and CSRF ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/units/L1/edit"),
        ("post", "/admin/units/L1/edit"),
        ("post", "/admin/units/L1/deactivate"),
        ("post", "/admin/units/L1/reactivate"),
        ("post", "/admin/units/L1/delete"),
        ("get", "/admin/units/NOPE/edit"),
    ],
)
def test_another_regions_unit_is_404(client, db, roster, method, path):
    login(client, "ita@example.fi")
    csrf = CSRF_RE.search(page(client, "/admin/units/E2/edit")).group(1)
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, data={**GOOD, "region": "Lappi", "csrf_token": csrf})
    assert response.status_code == 404
    assert "Lapin yksikkö" not in response.get_data(as_text=True)
    lappi = unit(db, "L1")
    assert (lappi.name, lappi.deactivated_at) == ("Lapin yksikkö", None)
    assert entries(db) == []


def test_the_national_admin_opens_every_regions_unit(client, db, roster):
    login(client, "paa@example.fi")
    assert "Lapin yksikkö" in page(client, "/admin/units/L1/edit")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/units/new",
        "/admin/units/E2/edit",
        "/admin/units/E2/deactivate",
        "/admin/units/E2/delete",
    ],
)
def test_every_change_needs_the_csrf_token(client, db, roster, path):
    login(client, "paa@example.fi")
    refused = client.post(path, data=GOOD)
    assert refused.status_code == 400
    assert unit(db, "UUSI1") is None
    e2 = unit(db, "E2")
    assert e2 is not None and e2.deactivated_at is None and e2.name == "Toinen itäinen"
    assert entries(db) == []


def test_the_pages_need_a_login(client, db, roster):
    for path in ("/admin/units/new", "/admin/units/E2/edit", "/admin/units/upload"):
        assert client.get(path).status_code == 302


# --- codes no unit can have, and codes of another region -----------------------------------


def code_error(response) -> str:
    return re.search(r'id="code-error"[^>]*>([^<]*)<', response.get_data(as_text=True))[1]


@pytest.mark.parametrize("code", ["E2", "L1"])
def test_a_taken_code_gets_the_same_words_whichever_region_holds_it(client, db, roster, code):
    """Codes are unique nationwide, so a regional admin learns that the code cannot be
    used, and nothing more: not whether its unit is of another region."""
    login(client, "ita@example.fi")
    client.get("/admin/units?lang=en")
    refused = post_form(client, "/admin/units/new", {**GOOD, "code": code})
    assert refused.status_code == 422
    assert code_error(refused) == f"The code {code} cannot be used."
    assert "Lapin yksikkö" not in refused.get_data(as_text=True)
    assert entries(db) == []


@pytest.mark.parametrize(
    "code",
    ["K" * 65, "K" * 5000, "E%002", "%00", "E2%00"],
    ids=["too-long", "far-too-long", "nul-inside", "nul", "nul-after"],
)
def test_a_code_no_unit_can_have_is_404(client, db, roster, code):
    login(client, "paa@example.fi")
    csrf = CSRF_RE.search(page(client, "/admin/units/E2/edit")).group(1)
    assert client.get(f"/admin/units/{code}/edit").status_code == 404
    for action in ("edit", "deactivate", "delete"):
        response = client.post(f"/admin/units/{code}/{action}", data={**GOOD, "csrf_token": csrf})
        assert response.status_code == 404, action
    assert entries(db) == []


def test_a_new_code_with_a_nul_is_refused_before_the_form(client, db, roster):
    """Refused before any view (survey_app/security.py): 400, nothing written."""
    login(client, "paa@example.fi")
    refused = post_form(client, "/admin/units/new", {**GOOD, "code": "UU\x00SI"})
    assert refused.status_code == 400
    assert entries(db) == []


def test_filters_with_a_nul_are_refused_not_an_error(client, db, roster):
    """Refused before any view (survey_app/security.py): 400, never a 500."""
    login(client, "paa@example.fi")
    for query in ("q=%00", "region=%00", "field=%00", "q=It%00"):
        assert client.get(f"/admin/units?{query}").status_code == 400, query


@pytest.mark.parametrize("code", ["x/../E2", "A/B", "..", "K" * 33])
def test_the_unit_form_refuses_a_code_that_is_not_a_safe_identifier(client, db, roster, code):
    login(client, "paa@example.fi")
    refused = post_form(client, "/admin/units/new", {**GOOD, "code": code})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="code-error"' in html and "enintään 32 merkkiä" in html
    assert entries(db) == [] and unit(db, code) is None
