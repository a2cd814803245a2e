"""The round's numbers on a fixed dataset, worked out by hand: counts and whole percent
of those who answered each item (half up), item non-response, drafts not counting, and
a regional admin's numbers of its own region only."""

import pytest

from survey_app.formatting import percent
from survey_app.models import Admin
from survey_app.results.aggregate import item_counts, responded, round_results
from tests.factories import make_invitation, make_response, make_round, make_unit


@pytest.mark.parametrize(
    ("count", "answered", "expected"),
    [
        (33, 36, 92),
        (1, 8, 13),
        (3, 8, 38),
        (7, 8, 88),
        (1, 2, 50),
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (5, 5, 100),
        (0, 0, 0),
        (1, 200, 1),
        (1, 201, 0),
    ],
)
def test_whole_percent_rounds_half_up(count, answered, expected):
    assert percent(count, answered) == expected


@pytest.fixture
def dataset(db):
    """Eight units submit (six in Itä-Suomi, two in Lappi); k1_1: one yes, seven no;
    k1_2 answered by three only (yes, planned, planned); a ninth unit has only a draft
    saying yes everywhere; a tenth was invited and did nothing."""
    round_ = make_round(slug="kevat")
    regions = ["Itä-Suomi"] * 6 + ["Lappi"] * 2
    for number, region in enumerate(regions):
        unit = make_unit(region=region, status="preparing" if number == 0 else "active")
        invitation, _link = make_invitation(round_=round_, unit=unit)
        answers = {"k1_1": "yes" if number == 0 else "no"}
        if number < 3:
            answers["k1_2"] = "yes" if number == 0 else "planned"
        make_response(invitation, answers)
    drafted, _link = make_invitation(round_=round_, unit=make_unit(field="Vammaispalvelut"))
    make_response(drafted, {"k1_1": "yes", "k1_2": "yes", "k1_3": "yes"}, submit=False)
    make_invitation(round_=round_, unit=make_unit(region="Lappi"))
    return round_


def item(results, code):
    return next(entry for entry in results["items"] if entry["code"] == code)


def test_counts_and_percentages_by_hand(dataset):
    results = round_results(dataset)
    assert (results["round"], results["invited"], results["responded"]) == ("kevat", 10, 8)
    assert item(results, "k1_1") == {
        "code": "k1_1",
        "criterion": 1,
        "answered": 8,
        "counts": {"yes": 1, "planned": 0, "no": 7},
        "percent": {"yes": 13, "planned": 0, "no": 88},
    }
    assert item(results, "k1_2")["answered"] == 3
    assert item(results, "k1_2")["percent"] == {"yes": 33, "planned": 67, "no": 0}
    # The draft's "yes" to k1_3 is nowhere.
    assert item(results, "k1_3")["answered"] == 0
    assert [entry["code"] for entry in results["items"]][:3] == ["k1_1", "k1_2", "k1_3"]
    assert {entry["criterion"] for entry in results["items"]} == {1, 2, 3, 4}


def test_units_by_field_and_region_with_their_status(dataset):
    units = round_results(dataset)["units"]
    assert units["by_region"] == {
        "Itä-Suomi": {"active": 6, "preparing": 1},
        "Lappi": {"active": 3, "preparing": 0},
    }
    assert units["by_field"] == {
        "Lastensuojelu": {"active": 8, "preparing": 1},
        "Vammaispalvelut": {"active": 1, "preparing": 0},
    }


def test_a_regional_admin_counts_only_its_region(dataset):
    lappi = Admin(email="lappi@example.fi", role="regional", region="Lappi")
    results = round_results(dataset, lappi)
    assert (results["invited"], results["responded"]) == (3, 2)
    assert item(results, "k1_1")["counts"] == {"yes": 0, "planned": 0, "no": 2}
    assert list(results["units"]["by_region"]) == ["Lappi"]


def test_breakdown_by_region(dataset):
    by_region = item_counts(dataset, group_by="region")
    assert by_region["Itä-Suomi"]["k1_1"].answered == 6
    assert by_region["Itä-Suomi"]["k1_1"].counts == {"yes": 1, "no": 5}
    assert by_region["Lappi"]["k1_1"].counts == {"no": 2}
    assert "k1_2" not in by_region["Lappi"]


def test_respondents_by_group(dataset):
    assert responded(dataset, group_by="region") == {"Itä-Suomi": 6, "Lappi": 2}
    assert responded(dataset, group_by="status") == {"active": 7, "preparing": 1}
