"""The KEHY directory on a fixed dataset: grouping by region then field, units by
name, each unit's latest submitted profile (an older round's and a newer draft lose),
deactivated units left out, a regional admin's region only, the DOCX, and the public
page (off by default; profile text only)."""

import io

from docx import Document

from survey_app.directory.compile import compile_directory
from survey_app.models import Admin
from tests.factories import make_unit
from tests.helpers import create, login


def outline(directory):
    return [
        (region.name, [(group.name, [p.name for p in group.profiles]) for group in region.fields])
        for region in directory.regions
    ]


def answers(directory):
    return {
        profile.name: {entry.code: entry.answer for entry in profile.entries}
        for region in directory.regions
        for group in region.fields
        for profile in group.profiles
    }


def test_grouped_by_region_then_field_with_the_latest_submitted_profile(directory_dataset):
    directory = compile_directory()
    assert outline(directory) == [
        (
            "Itä-Suomi",
            [
                ("Aikuisten palvelut", ["Delta-yksikkö"]),
                ("Lastensuojelu", ["Alfa-yksikkö", "Bravo-yksikkö", "Golf-yksikkö"]),
            ],
        ),
        ("Lappi", [("Vammaispalvelut", ["Charlie-yksikkö"])]),
    ]
    profiles = answers(directory)
    assert profiles["Bravo-yksikkö"] == {
        "kehy_contact": "Puhelin 040 123",
        "kehy_mission": "Uusi toiminta-ajatus",
    }
    assert profiles["Alfa-yksikkö"] == {"kehy_mission": "Alfan lähetetty"}
    assert profiles["Golf-yksikkö"] == {"kehy_staff": "Kolme henkeä"}
    assert "Echo-yksikkö" not in profiles
    # In questionnaire order, labelled with the question as asked; the name is the title.
    bravo = directory.regions[0].fields[1].profiles[1]
    assert [entry.code for entry in bravo.entries] == ["kehy_contact", "kehy_mission"]
    assert bravo.entries[1].question == "Toiminta-ajatus"
    delta = compile_directory(language="en").regions[0].fields[0].profiles[0]
    assert delta.entries[0].question.startswith("Participating municipalities")


def test_the_title_is_the_name_the_unit_submitted_and_the_source_names_the_round(
    db, runner, client
):
    from tests.directory.conftest import submit
    from tests.factories import make_round

    round_ = make_round(slug="syksy-2026")
    round_.title = "Syksyn kartoitus 2026"
    round_.title_translations = {"en": "Autumn survey 2026"}
    submit(round_, make_unit(name="KEHY 17"), {"kehy_name": "Pohjois-Savon lastensuojelun KEHY"})
    submit(round_, make_unit(name="Rosterin nimi"), {"kehy_name": "  ", "kehy_staff": "Kaksi"})
    db.session.commit()
    names = [p.name for p in compile_directory().regions[0].fields[0].profiles]
    assert names == ["Pohjois-Savon lastensuojelun KEHY", "Rosterin nimi"]
    profile = compile_directory(language="en").regions[0].fields[0].profiles[0]
    assert profile.round_title == "Autumn survey 2026"
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    page = client.get("/admin/directory?lang=fi").get_data(as_text=True)
    assert "<h4" in page and ">Pohjois-Savon lastensuojelun KEHY</h4>" in page
    assert ">KEHY 17<" not in page
    assert "kartoituksessa ”Syksyn kartoitus 2026”" in page
    assert "syksy-2026" not in page.split('id="directory"')[1]


def test_a_regional_admin_sees_only_its_region(directory_dataset, db):
    admin = Admin(email="lappi@example.fi", role="regional", region="Lappi", password_hash="x")
    assert outline(compile_directory(admin)) == [
        ("Lappi", [("Vammaispalvelut", ["Charlie-yksikkö"])])
    ]


def test_no_profiles_no_regions(db):
    make_unit()
    db.session.commit()
    assert compile_directory().regions == []


def test_the_admin_page(directory_dataset, runner, client):
    assert client.get("/admin/directory").status_code == 302  # to the login page
    assert client.get("/admin/directory.docx").status_code == 302
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    page = client.get("/admin/directory?lang=en")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'id="directory-toc"' in html and 'href="#region-1-field-2"' in html
    assert '<h2 id="region-2">Lapland</h2>' in html  # named in the page's language
    assert '<h3 id="region-1-field-1">Adult services</h3>' in html
    assert "<h4" in html and "Uusi toiminta-ajatus" in html and "Vanha" not in html
    assert "Alfan luonnos" not in html and "Echo" not in html
    assert "Compiled " in html


def test_a_regional_admins_page(directory_dataset, runner, client):
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    login(client, "lappi@example.fi")
    html = client.get("/admin/directory").get_data(as_text=True)
    assert "Charlie-yksikkö" in html
    assert "Bravo-yksikkö" not in html and "Itä-Suomi</h2>" not in html
    document = Document(io.BytesIO(client.get("/admin/directory.docx").data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "Charlie-yksikkö" in texts and "Bravo-yksikkö" not in texts


def test_the_docx(directory_dataset, runner, client):
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    response = client.get("/admin/directory.docx?lang=en")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="kehy-kooste-20')
    assert disposition.endswith('.docx"')
    document = Document(io.BytesIO(response.data))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings[:2] == [("Heading 1", "KEHY directory"), ("Heading 2", "Contents")]
    assert headings[2:6] == [
        ("Heading 2", "Eastern Finland"),
        ("Heading 3", "Adult services"),
        ("Heading 4", "Delta-yksikkö"),
        ("Heading 3", "Child protection"),
    ]
    assert ("Heading 2", "Lapland") in headings
    texts = [p.text for p in document.paragraphs]
    assert texts[1].startswith("Compiled ")
    contents = [p.text for p in document.paragraphs if p.style.name.startswith("List Bullet")]
    assert contents[:3] == ["Eastern Finland", "Adult services", "Delta-yksikkö"]
    assert "Uusi toiminta-ajatus" in texts and "Vanha toiminta-ajatus" not in texts
    assert "Mission" in texts and "Alfan lähetetty" in texts and "Alfan luonnos" not in texts


def test_the_public_page_is_off_by_default(directory_dataset, app, client):
    assert app.config["DIRECTORY_PUBLIC"] is False
    assert client.get("/kooste").status_code == 404


def test_the_public_page_shows_profile_text_only(directory_dataset, app, client):
    app.config["DIRECTORY_PUBLIC"] = True
    response = client.get("/kooste")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Uusi toiminta-ajatus" in html and "Puhelin 040 123" in html
    assert "Charlie-yksikkö" in html and "2020–" in html
    for private in ("@example.fi", "Roster Rita", "Lapin Liisa", "Testi Henkilö", "Alfan luonnos"):
        assert private not in html
    # No criteria answers: neither the question nor an answer row of a criteria item.
    assert "Toimintarakenne on verkostoitunut" not in html
    assert 'data-code="k1_1"' not in html
    assert "Echo" not in html
    assert 'class="admin-nav"' not in html and "kevat" not in html


def test_a_few_queries_whatever_the_number_of_units(directory_dataset, db):
    from sqlalchemy import event

    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        directory = compile_directory()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert directory.profile_count == 5
    assert len(statements) <= 4, statements  # versions, profiles, their rounds' versions, answers
