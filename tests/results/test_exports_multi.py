"""A multiple-choice item through every export. No shipped questionnaire has one, so the
round pins a criteria version with a fifth section holding one (`k5_1`, options x/y/z).

BRIEF.md's contract is silent on multiple choice; what the code does, and these tests
hold it to: a CSV/XLSX cell holds the chosen option values joined with "; " in the
questionnaire's option order (Excel-friendly: one cell, no formula character); in the
results JSON and the item summary, `answered` counts the units that chose at least one
option and each option counts the units that chose it, so its percent is of those who
answered the item (the percents may add up to more than 100)."""

import copy
import csv
import io
import json
from datetime import timedelta

import lxml.html
import pytest
from openpyxl import load_workbook

from survey_app.questionnaires.registry import ensure_stored, shipped_definitions
from survey_app.questionnaires.validation import validate_definition
from survey_app.results.aggregate import ItemCounts, item_counts, round_results
from survey_app.rounds.services import pin_questionnaires
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, login

T = {"fi": "Mitä yksikkö tekee?", "sv": "Vad gör enheten?", "en": "What does the unit do?"}


def criteria_with_multiple_choice() -> dict:
    definition = copy.deepcopy(shipped_definitions()["criteria"])
    definition["version"] = 99
    definition["sections"].append(
        {
            "code": "k5",
            "title": {"fi": "Kriteeri 5", "sv": "Kriterium 5", "en": "Criterion 5"},
            "items": [
                {
                    "code": "k5_1",
                    "type": "multiple_choice",
                    "text": T,
                    "options": [
                        {"value": value, "label": {"fi": value, "sv": value, "en": value}}
                        for value in ("x", "y", "z")
                    ],
                }
            ],
        }
    )
    return definition


def test_the_definition_with_a_multiple_choice_item_is_valid():
    assert validate_definition(criteria_with_multiple_choice()) == []


def pinned_round(slug: str, **kwargs):
    """A round with the criteria version holding `k5_1`, and the profile form."""
    round_ = make_round(slug=slug, keys=(), **kwargs)
    versions = [
        ensure_stored(criteria_with_multiple_choice()),
        ensure_stored(shipped_definitions()["kehy"]),
    ]
    pin_questionnaires(round_, versions)
    return round_


@pytest.fixture
def dataset(db):
    """A1 chooses x and z; A2 z and x (in that order); B1 (Lappi) y; A3 answers k1_1
    only (item non-response); B2's draft choosing x does not count."""
    round_ = pinned_round("monivalinta")
    units = {
        "A1": make_unit(code="A1", name="Yksikkö A1"),
        "A2": make_unit(code="A2", name="Yksikkö A2"),
        "A3": make_unit(code="A3", name="Yksikkö A3"),
        "B1": make_unit(code="B1", name="Yksikkö B1", region="Lappi"),
        "B2": make_unit(code="B2", name="Yksikkö B2", region="Lappi"),
    }
    invitations = {code: make_invitation(round_, unit)[0] for code, unit in units.items()}
    make_response(invitations["A1"], {"k1_1": "yes", "k5_1": ["x", "z"]})
    make_response(invitations["A2"], {"k5_1": ["z", "x"]})
    make_response(invitations["A3"], {"k1_1": "no"})
    make_response(invitations["B1"], {"k5_1": ["y"]})
    make_response(invitations["B2"], {"k5_1": ["x"]}, submit=False)
    return round_


EXPECTED_ITEM = {
    "code": "k5_1",
    "criterion": 5,
    "answered": 3,
    "counts": {"x": 2, "y": 1, "z": 2},
    "percent": {"x": 67, "y": 33, "z": 67},
}


def export(runner, tmp_path, format_: str):
    target = tmp_path / f"export.{format_}"
    result = runner.invoke(
        args=["results", "export", "monivalinta", "--format", format_, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def test_each_chosen_option_counts_as_a_share_of_those_who_answered(dataset):
    results = round_results(dataset)
    assert results["responded"] == 4
    assert results["items"][-1] == EXPECTED_ITEM
    # The other items keep their own denominators (A3 answered k1_1, not k5_1).
    assert results["items"][0]["answered"] == 2
    assert item_counts(dataset)[None]["k5_1"] == ItemCounts(3, {"x": 2, "y": 1, "z": 2})
    by_region = item_counts(dataset, group_by="region")
    assert by_region["Lappi"]["k5_1"] == ItemCounts(1, {"y": 1})
    assert by_region["Itä-Suomi"]["k5_1"] == ItemCounts(2, {"x": 2, "z": 2})


def test_json_export_holds_the_multiple_choice_item(runner, tmp_path, dataset):
    exported = json.loads(export(runner, tmp_path, "json"))
    assert [item["code"] for item in exported["items"]][-2:] == ["k4_2", "k5_1"]
    assert exported["items"][-1] == EXPECTED_ITEM


def test_csv_cell_joins_the_chosen_values_in_option_order(runner, tmp_path, dataset):
    data = export(runner, tmp_path, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header.index("k5_1") == header.index("k4_2") + 1
    cells = {row[0]: dict(zip(header, row, strict=True))["k5_1"] for row in rows[1:]}
    assert cells == {"A1": "x; z", "A2": "x; z", "A3": "", "B1": "y"}


def test_xlsx_responses_and_item_summary_hold_the_multiple_choice_item(runner, tmp_path, dataset):
    workbook = load_workbook(io.BytesIO(export(runner, tmp_path, "xlsx")))
    rows = list(workbook["responses"].iter_rows(values_only=True))
    header, texts = rows[0], rows[1]
    column = header.index("k5_1")
    assert texts[column] == T["fi"]
    assert {row[0]: row[column] for row in rows[2:]} == {
        "A1": "x; z",
        "A2": "x; z",
        "A3": None,
        "B1": "y",
    }
    summary = list(workbook["item summary"].iter_rows(values_only=True))
    line = dict(zip(summary[0], next(row for row in summary if row[0] == "k5_1"), strict=True))
    assert (line["criterion"], line["text"], line["answered"]) == (5, T["fi"], 3)
    assert (line["x"], line["x %"], line["y"], line["y %"], line["z"], line["z %"]) == (
        2,
        67,
        1,
        33,
        2,
        67,
    )
    assert (line["yes"], line["yes %"]) == (0, 0)


def test_the_report_draws_a_bar_per_option_and_leaves_the_item_out_of_the_tables(
    client, runner, db, dataset
):
    """Shares that add up to more than 100% cannot share one stacked bar, and an item
    with no "yes" has no column in the "yes" tables."""
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/monivalinta/report?lang=en")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    (item,) = tree.xpath('//li[@id="item-k5_1"]')
    rows = [
        " ".join(li.text_content().split())
        for li in item.xpath('.//ul[@class="report-multiple"]/li/span')
    ]
    assert rows == ["x 2 (67%)", "y 1 (33%)", "z 2 (67%)"]
    bars = item.xpath(".//svg[@role='img']")
    assert [bar.get("aria-label") for bar in bars] == [
        "x 2 (67%); answered 3",
        "y 1 (33%); answered 3",
        "z 2 (67%); answered 3",
    ]
    assert not tree.xpath('//*[@id="criterion-5"]//table')
    assert tree.xpath('//*[@id="criterion-1"]//table')


def test_a_multiple_choice_item_shows_no_change_in_yes(client, runner, db, dataset):
    """Its options have no "yes" to compare with the previous round; k1_1 has."""
    earlier = pinned_round("aiempi", deadline=dataset.deadline - timedelta(days=1))
    unit = make_unit(code="C1", name="Yksikkö C1")
    make_response(make_invitation(earlier, unit)[0], {"k1_1": "no", "k5_1": ["y"]})
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    tree = lxml.html.fromstring(client.get("/admin/rounds/monivalinta/report?lang=en").data)
    assert tree.xpath('//li[@id="item-k1_1"]//*[@class="report-change"]')
    assert not tree.xpath('//li[@id="item-k5_1"]//*[@class="report-change"]')
