"""Exports on a fixed dataset: the JSON is the contract (counts by hand), the CSV and
XLSX hold one row per submitted unit with every formula-like cell neutralised, and the
admin downloads are region-scoped, login-only and never cached."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from survey_app.results.exports import neutralise
from tests.admin.test_accounts import create, login
from tests.factories import make_invitation, make_response, make_round, make_unit

ZEROS = {"yes": 0, "planned": 0, "no": 0}
CRITERIA = ["k1_1", "k1_2", "k1_3", "k2_1", "k2_2", "k2_3", "k3_1", "k3_2", "k3_3", "k4_1", "k4_2"]
HOSTILE = {
    "kehy_other": '=HYPERLINK("http://evil.example","klikkaa")',
    "kehy_area": "+358 40 123",
    "kehy_staff": "@tiimi",
    "kehy_funding": "-50 % kunnilta",
    "kehy_period": "\t2008–2010",
    "kehy_methods": "\rpiilossa",
    "kehy_mission": 'Rivi 1\nRivi "2", pilkulla',
}


@pytest.fixture
def dataset(db):
    """Three units submit (A1, A2 in Itä-Suomi; B1, preparing, in Lappi): k1_1 yes, no,
    yes; k1_2 answered by A1 only (planned). B2 (Lappi) has a draft saying no; A3 was
    invited and did nothing. A1's name and A2's profile texts look like formulas."""
    round_ = make_round(slug="syksy")
    units = {
        "A1": make_unit(code="A1", name="=1+1 yksikkö"),
        "A2": make_unit(code="A2", name="Kuopion yksikkö"),
        "B1": make_unit(code="B1", name="Lapin yksikkö", region="Lappi", status="preparing"),
        "B2": make_unit(code="B2", name="Luonnosyksikkö", region="Lappi"),
        "A3": make_unit(code="A3", name="Hiljainen yksikkö"),
    }
    invitations = {code: make_invitation(round_, unit)[0] for code, unit in units.items()}
    make_response(invitations["A1"], {"k1_1": "yes", "k1_2": "planned", "kehy_name": "Yksikkö A"})
    make_response(invitations["A2"], {"k1_1": "no", **HOSTILE})
    make_response(invitations["B1"], {"k1_1": "yes", "kehy_name": "Lappi"})
    make_response(invitations["B2"], {"k1_1": "no"}, submit=False)
    return round_


def expected_json():
    items = [
        {
            "code": code,
            "criterion": int(code[1]),
            "answered": 0,
            "counts": dict(ZEROS),
            "percent": dict(ZEROS),
        }
        for code in CRITERIA
    ]
    items[0].update(
        answered=3,
        counts={"yes": 2, "planned": 0, "no": 1},
        percent={"yes": 67, "planned": 0, "no": 33},
    )
    items[1].update(answered=1, counts={**ZEROS, "planned": 1}, percent={**ZEROS, "planned": 100})
    return {
        "round": "syksy",
        "invited": 5,
        "responded": 3,
        "units": {
            "by_field": {"Lastensuojelu": {"active": 4, "preparing": 1}},
            "by_region": {
                "Itä-Suomi": {"active": 3, "preparing": 0},
                "Lappi": {"active": 1, "preparing": 1},
            },
        },
        "items": items,
    }


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_formula_like_text_is_neutralised(value, expected):
    assert neutralise(value) == expected


@pytest.fixture
def national(runner, client, dataset):
    create(runner, "kaikki@example.fi", "--role", "national")
    login(client, "kaikki@example.fi")
    return client


@pytest.fixture
def lappi(runner, client, dataset):
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    login(client, "lappi@example.fi")
    return client


def test_json_download_is_the_contract(national):
    response = national.get("/admin/rounds/syksy/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.get_data()) == expected_json()


def test_csv_download_has_a_row_per_submitted_unit_with_formulas_neutralised(national):
    response = national.get("/admin/rounds/syksy/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="syksy-results.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response.get_data())
    header = rows[0]
    assert header[:6] == ["code", "name", "field", "region", "status", "submitted_at"]
    assert header[6:17] == CRITERIA
    assert "kehy_name" in header and "kehy_other" in header
    # The draft (B2) and the silent unit (A3) have no row.
    assert [row[0] for row in rows[1:]] == ["A1", "A2", "B1"]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_code["A1"]["name"] == "'=1+1 yksikkö"
    assert (by_code["A1"]["k1_1"], by_code["A1"]["k1_2"]) == ("yes", "planned")
    assert (by_code["B1"]["status"], by_code["B1"]["k1_2"]) == ("preparing", "")
    a2 = by_code["A2"]
    for code, text in HOSTILE.items():
        expected = text if code == "kehy_mission" else "'" + text
        assert a2[code] == expected, code
    assert a2["submitted_at"].endswith("+00:00")


def test_xlsx_download_has_three_sheets_and_no_formulas(national):
    response = national.get("/admin/rounds/syksy/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="syksy-results.xlsx"'
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["responses", "item summary", "units"]
    rows = list(workbook["responses"].iter_rows(values_only=True))
    header, texts = rows[0], rows[1]
    assert header[6] == "k1_1" and texts[6] == "Toimintarakenne on verkostoitunut"
    assert [row[0] for row in rows[2:]] == ["A1", "A2", "B1"]
    cells = {cell.value: cell for row in workbook["responses"].iter_rows() for cell in row}
    hostile = cells["'" + HOSTILE["kehy_other"]]
    assert hostile.data_type == "s"
    assert cells["'=1+1 yksikkö"].data_type == "s"
    assert not any(
        cell.data_type == "f" for sheet in workbook for row in sheet.iter_rows() for cell in row
    )
    summary = list(workbook["item summary"].iter_rows(values_only=True))
    assert summary[0][:6] == ("code", "criterion", "text", "answered", "yes", "yes %")
    assert summary[1][:8] == ("k1_1", 1, "Toimintarakenne on verkostoitunut", 3, 2, 67, 0, 0)
    units = list(workbook["units"].iter_rows(values_only=True))
    assert ("region", "Lappi", 1, 1) in units
    assert ("field", "Lastensuojelu", 4, 1) in units


def test_a_regional_admin_downloads_only_its_region(lappi):
    rows = read_csv(lappi.get("/admin/rounds/syksy/export.csv").get_data())
    assert [row[0] for row in rows[1:]] == ["B1"]
    results = json.loads(lappi.get("/admin/rounds/syksy/export.json").get_data())
    assert (results["invited"], results["responded"]) == (2, 1)
    assert list(results["units"]["by_region"]) == ["Lappi"]
    workbook = load_workbook(io.BytesIO(lappi.get("/admin/rounds/syksy/export.xlsx").get_data()))
    codes = [row[0] for row in workbook["responses"].iter_rows(min_row=3, values_only=True)]
    assert codes == ["B1"]
    assert "Itä-Suomi" not in str(list(workbook["units"].iter_rows(values_only=True)))


def test_unknown_round_and_format_answer_404(national):
    assert national.get("/admin/rounds/nothing/export.csv").status_code == 404
    assert national.get("/admin/rounds/syksy/export.pdf").status_code == 404


def test_downloads_need_a_login(client, dataset):
    for extension in ("csv", "xlsx", "json"):
        response = client.get(f"/admin/rounds/syksy/export.{extension}")
        assert response.status_code in (302, 303, 401), extension
        assert b"A1" not in response.get_data()
