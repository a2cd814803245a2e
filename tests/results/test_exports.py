"""Exports on a fixed dataset: the JSON is the contract (counts by hand), the CSV and
XLSX hold one row per submitted unit with every formula-like cell neutralised, and the
admin downloads are region-scoped, login-only and never cached."""

import io
import json

import pytest
from openpyxl import load_workbook

from survey_app.results.exports import neutralise
from tests.helpers import create, login
from tests.results.export_data import CRITERIA, HOSTILE, expected_json, read_csv


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
def national(runner, client, export_dataset):
    create(runner, "kaikki@example.fi", "--role", "national")
    login(client, "kaikki@example.fi")
    return client


@pytest.fixture
def lappi(runner, client, export_dataset):
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


def test_downloads_need_a_login(client, export_dataset):
    for extension in ("csv", "xlsx", "json"):
        response = client.get(f"/admin/rounds/syksy/export.{extension}")
        assert response.status_code in (302, 303, 401), extension
        assert b"A1" not in response.get_data()


def test_a_submission_with_no_answers_is_a_row_of_empty_cells_between_the_others(db, runner):
    """The rows and the answers are read side by side: a response with no answer rows
    must neither lose its row nor take the next unit's answers."""
    from tests.factories import make_invitation, make_response, make_round, make_unit

    round_ = make_round(slug="tyhja")
    for code, answers in (("C1", {"k1_1": "yes"}), ("C2", {}), ("C3", {"k1_1": "no"})):
        invitation, _link = make_invitation(round_=round_, unit=make_unit(code=code))
        make_response(invitation, answers)
    exported = runner.invoke(args=["results", "export", "tyhja", "--format", "csv"])
    rows = read_csv(exported.stdout_bytes)
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(by_code) == ["C1", "C2", "C3"]
    assert [by_code[code]["k1_1"] for code in by_code] == ["yes", "", "no"]
