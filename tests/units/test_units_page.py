"""The roster page: search and filters, within the admin's region."""

import pytest

from survey_app.models.types import utcnow
from tests.factories import make_unit
from tests.helpers import PASSWORD, create, login


@pytest.fixture
def roster(runner, db):
    make_unit(
        code="E1",
        name="Kuopion lastensuojelu",
        region="Itä-Suomi",
        field="Lastensuojelu",
        contact_email="liisa@kuopio.fi",
    )
    make_unit(
        code="E2",
        name="Joensuun vanhuspalvelut",
        region="Itä-Suomi",
        field="Vanhusten palvelut",
        status="preparing",
    )
    make_unit(code="L1", name="Rovaniemen lastensuojelu", region="Lappi", field="Lastensuojelu")
    make_unit(code="E3", name="Lakkautettu", region="Itä-Suomi").deactivated_at = utcnow()
    db.session.commit()
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")


def names(client, query=""):
    html = client.get(f"/admin/units{query}").get_data(as_text=True)
    return {
        name
        for name in (
            "Kuopion lastensuojelu",
            "Joensuun vanhuspalvelut",
            "Rovaniemen lastensuojelu",
            "Lakkautettu",
        )
        if name in html
    }


def test_the_national_admin_sees_the_roster_and_filters_it(client, db, roster):
    login(client, "paa@example.fi", PASSWORD)
    assert names(client) == {
        "Kuopion lastensuojelu",
        "Joensuun vanhuspalvelut",
        "Rovaniemen lastensuojelu",
    }
    assert names(client, "?q=LASTENSUOJELU") == {
        "Kuopion lastensuojelu",
        "Rovaniemen lastensuojelu",
    }
    assert names(client, "?q=liisa@") == {"Kuopion lastensuojelu"}
    assert names(client, "?region=Lappi") == {"Rovaniemen lastensuojelu"}
    assert names(client, "?field=Vanhusten+palvelut") == {"Joensuun vanhuspalvelut"}
    assert names(client, "?status=preparing") == {"Joensuun vanhuspalvelut"}
    assert "Lakkautettu" in names(client, "?deactivated=1")


def test_a_regional_admin_sees_only_its_region_even_when_asking_for_another(client, db, roster):
    login(client, "ita@example.fi", PASSWORD)
    assert names(client) == {"Kuopion lastensuojelu", "Joensuun vanhuspalvelut"}
    assert names(client, "?region=Lappi") == set()
    html = client.get("/admin/units").get_data(as_text=True)
    assert "Lappi" not in html  # not even as a filter choice


def test_odd_filter_values_are_ignored_not_errors(client, db, roster):
    login(client, "paa@example.fi", PASSWORD)
    assert client.get("/admin/units?status=nonsense&q=" + "x" * 5000).status_code == 200
    assert client.get("/admin/units?status=%00").status_code == 400  # refused before any view


def test_a_national_roster_is_listed_a_hundred_at_a_time(client, db, runner):
    for number in range(230):
        make_unit(code=f"K{number:03d}", region="Lappi" if number % 2 else "Itä-Suomi")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    first = client.get("/admin/units").get_data(as_text=True)
    assert "230 yksikköä" in first or ">230 " in first
    assert first.count('href="/admin/units/K') == 100
    assert "/admin/units/K000/edit" in first and "/admin/units/K100/edit" not in first
    assert "Sivu 1/3" in first
    lappi = client.get("/admin/units?region=Lappi&page=2").get_data(as_text=True)
    assert lappi.count('href="/admin/units/K') == 15  # 115 in Lappi: 100 + 15
    assert 'href="/admin/units?region=Lappi&amp;page=1"' in lappi or "region=Lappi" in lappi
