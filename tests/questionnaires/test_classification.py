"""The roster's classification (fields, regions, statuses with a code and names in fi,
sv and en): files give any of them and the roster keeps the Finnish name (a status its
code); every page, report and file shows the reader's language."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.models import Admin, Unit
from survey_app.questionnaires.classification import classification, name_in, stored_value
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, invoke, login


def test_every_entry_has_a_code_and_three_names_none_shared():
    c = classification()
    for kind, categories in c.categories.items():
        seen = set()
        for category in categories:
            assert category.code and all(category.names[lang] for lang in ("fi", "sv", "en"))
            texts = {category.code.casefold(), *(n.casefold() for n in category.names.values())}
            assert not texts & seen, (kind, category.code)  # a name means one entry only
            seen |= texts


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        ("field", "Barnskydd", "Lastensuojelu"),
        ("field", " child   PROTECTION ", "Lastensuojelu"),
        ("field", "older_people", "Vanhusten palvelut"),
        ("region", "Östra Finland", "Itä-Suomi"),
        ("region", "eastern finland", "Itä-Suomi"),
        ("status", "ordinarie", "active"),
        ("status", "valmisteleva", "preparing"),
        ("field", "Lastensuojelo", None),
    ],
)
def test_a_code_or_any_name_gives_the_stored_value(kind, given, stored):
    assert stored_value(kind, given) == stored


def test_names_in_each_language_and_unknown_values_as_they_are():
    assert name_in("field", "Lastensuojelu", "sv") == "Barnskydd"
    assert name_in("region", "Itä-Suomi", "en") == "Eastern Finland"
    assert name_in("status", "active", "sv") == "ordinarie"
    assert name_in("field", "Vanha nimi", "sv") == "Vanha nimi"


def test_the_roster_import_stores_the_finnish_name_and_refuses_a_misspelt_field(
    runner, db, tmp_path
):
    header = "code,name,field,status,region,contact_email"
    good = tmp_path / "good.csv"
    good.write_text(f"{header}\nS1,Enhet,Barnskydd,ordinarie,Östra Finland,s1@example.fi\n")
    invoke(runner, "units", "import", good)
    unit = db.session.scalar(select(Unit).filter_by(code="S1"))
    assert (unit.field, unit.status, unit.region) == ("Lastensuojelu", "active", "Itä-Suomi")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}\nS2,Yksikkö,Lastensuojelo,active,Itä-Suomi,s2@example.fi\n")
    output = invoke(runner, "units", "import", bad, code=1)
    assert "row 2: unknown field 'Lastensuojelo'" in output


def test_a_regional_admin_may_be_named_by_its_region_in_swedish(runner, db):
    make_unit(region="Itä-Suomi")
    db.session.commit()
    create(runner, "ost@example.fi", "--role", "regional", "--region", "Östra Finland")
    admin = db.session.scalar(select(Admin).filter_by(email="ost@example.fi"))
    assert admin.region == "Itä-Suomi"


@pytest.fixture
def swedish_round(db, runner):
    round_ = make_round(slug="host")
    for field, status in (("Lastensuojelu", "active"), ("Vammaispalvelut", "preparing")):
        invitation, _link = make_invitation(
            round_=round_, unit=make_unit(field=field, status=status, region="Itä-Suomi")
        )
        make_response(invitation, {"k1_1": "yes"})
    create(runner, "paa@example.fi", "--role", "national")
    return round_


def test_swedish_pages_show_swedish_names(client, swedish_round):
    login(client, "paa@example.fi")
    report = client.get("/admin/rounds/host/report?lang=sv").get_data(as_text=True)
    assert "Barnskydd" in report and "Östra Finland" in report and "Handikappservice" in report
    assert "Lastensuojelu" not in report and "Itä-Suomi" not in report
    dashboard = client.get("/admin/rounds/host?lang=sv").get_data(as_text=True)
    assert "Östra Finland" in dashboard and "Itä-Suomi" not in dashboard
    units = client.get("/admin/units?lang=sv").get_data(as_text=True)
    assert "Barnskydd" in units and "ordinarie" in units and "förberedande" in units
    assert ">Lastensuojelu<" not in units  # the filter's option values stay stored names
    english = client.get("/admin/rounds/host/report?lang=en").get_data(as_text=True)
    assert "Child protection" in english and "Eastern Finland" in english


def test_the_workbook_names_fields_and_regions_in_its_language(client, swedish_round):
    login(client, "paa@example.fi")
    data = client.get("/admin/rounds/host/export.xlsx?lang=sv").data
    sheet = load_workbook(io.BytesIO(data))["units"]
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Barnskydd", "Handikappservice", "Östra Finland"}


def test_a_broken_contacts_file_stops_the_service_at_start(database_url, tmp_path):
    """Found in review: a contacts file naming an unknown region failed every email
    later, one by one; now the app does not start, and says why."""
    from tests.helpers import make_app

    path = tmp_path / "contacts.yaml"
    path.write_text("regions:\n  Atlantis: {email: a@example.fi}\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="Atlantis"):
        make_app(database_url, CONTACTS_FILE=str(path))


def test_the_swedish_status_word_used_before_still_imports(runner, db, tmp_path):
    path = tmp_path / "aktiv.csv"
    path.write_text(
        "code,name,field,status,region,contact_email\nS1,Enhet,Barnskydd,aktiv,Lappi,s@e.fi\n"
    )
    invoke(runner, "units", "import", path)
    assert db.session.scalar(select(Unit.status).filter_by(code="S1")) == "active"
