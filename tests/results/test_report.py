"""The report page on a fixed dataset, worked out by hand: percent of respondents,
planned shares, drafts not counting, suppressed small groups (with the complementary
cell), the change since the previous round in percentage points, the preliminary
marker, and a regional admin's numbers of its own region only."""

from datetime import timedelta

import lxml.html
import pytest

from survey_app.models.types import utcnow
from survey_app.results import charts
from survey_app.results.report import OptionShare, change_text
from tests.admin.test_accounts import create, login
from tests.factories import make_invitation, make_response, make_round, make_unit

# k1_1 per region (13 submitted): Itä-Suomi 6 (5 yes, 1 no), Pohjois-Suomi 5 (3 yes,
# 1 planned, 1 no), Lappi 2 (1 yes, 1 planned) → yes 9/13 = 69 %, planned 2/13 = 15 %,
# no 2/13 = 15 %. Fields: 7 Lastensuojelu, 6 Vanhusten palvelut. One preparing unit.
PLAN = (
    [("Itä-Suomi", "yes")] * 5
    + [("Itä-Suomi", "no")]
    + [("Pohjois-Suomi", "yes")] * 3
    + [("Pohjois-Suomi", "planned"), ("Pohjois-Suomi", "no")]
    + [("Lappi", "yes"), ("Lappi", "planned")]
)


@pytest.fixture
def dataset(db, runner):
    now = utcnow()
    previous = make_round(slug="syksy", deadline=now + timedelta(days=7))
    current = make_round(slug="kevat", deadline=now + timedelta(days=14))
    # The previous round: k1_1 answered by 4, 3 yes → 75 %; change 69 - 75 = −6 pp.
    for value in ["yes", "yes", "yes", "no"]:
        invitation, _ = make_invitation(round_=previous, unit=make_unit(region="Itä-Suomi"))
        make_response(invitation, {"k1_1": value})
    previous.state = "closed"
    previous.closed_at = now
    for number, (region, value) in enumerate(PLAN):
        unit = make_unit(
            region=region,
            field="Lastensuojelu" if number % 2 == 0 else "Vanhusten palvelut",
            status="preparing" if number == 0 else "active",
        )
        invitation, _ = make_invitation(round_=current, unit=unit)
        make_response(invitation, {"k1_1": value})
    drafted, _ = make_invitation(round_=current, unit=make_unit(region="Itä-Suomi"))
    make_response(drafted, {"k1_1": "no", "k1_2": "yes"}, submit=False)
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    return current, previous


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.get_data(as_text=True))


def text(tree, path):
    return " ".join(" ".join(e.text_content().split()) for e in tree.xpath(path))


def table(tree, table_id):
    return {
        row.xpath("th")[0].text_content().strip(): [
            " ".join(td.text_content().split()) for td in row.xpath("td")
        ]
        for row in tree.xpath(f'//table[@id="{table_id}"]/*[self::tbody or self::tfoot]/tr')
    }


def test_report_numbers_by_hand(client, dataset):
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    assert "(13 development units answered this survey)" in text(
        tree, '//*[@id="report-respondents"]'
    )
    item = text(tree, '//*[@id="item-k1_1"]/p[@class="report-sentence"]')
    assert "69 % of respondents" in item
    assert "15 %" in item  # planned
    assert "Answered: 13" in item
    assert "Change: \u22126 pp" in item
    # The draft's "yes" to k1_2 counts nowhere: nobody answered it.
    assert text(tree, '//*[@id="item-k1_2"]//*[@class="report-yes"]') == ""
    assert len(tree.xpath('//*[@id="item-k1_2"]//*[local-name()="svg"]')) == 0
    label = tree.xpath('//*[@id="item-k1_1"]/*[local-name()="svg"]')[0].get("aria-label")
    assert "9 (69 %)" in label and "2 (15 %)" in label and "13" in label
    assert [h.text_content() for h in tree.xpath("//h2")][:4] == [
        f"Fulfilment of the criteria {n}. (4)" for n in (1, 2, 3, 4)
    ]
    assert "Preliminary" in text(tree, '//*[@id="report-preliminary"]')
    # Units of the round (the draft unit is invited too), seed style: "Lastensuojelu 7 (+ 1)".
    assert (
        text(tree, '//*[@id="units-by-field"]/li') == "Lastensuojelu 7 (+ 1) Vanhusten palvelut 6"
    )
    assert (
        text(tree, '//*[@id="units-by-region"]/li') == "Itä-Suomi 6 (+ 1) Pohjois-Suomi 5 Lappi 2"
    )


def test_small_groups_and_their_complement_are_suppressed(client, dataset):
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    region = table(tree, "breakdown-1-region")
    assert region["Itä-Suomi"][:2] == ["6", "83 % (n=6)"]  # 5 of 6 yes; the draft is not
    assert region["Pohjois-Suomi"] == ["<5"] * 4  # complementary: the next smallest
    assert region["Lappi"] == ["<5"] * 4
    assert region["Total"][:2] == ["13", "69 % (n=13)"]
    status = table(tree, "breakdown-1-status")
    assert status["active"] == ["<5"] * 4 and status["preparing"] == ["<5"] * 4
    field = table(tree, "breakdown-1-field")
    # Lastensuojelu: PLAN's even places: yes at 0, 2, 4, 6, 8; no at 10; planned at 12
    # → 5/7 = 71 %. Vanhusten palvelut: yes at 1, 3, 7, 11 → 4/6 = 67 %. Both shown.
    assert field["Lastensuojelu"][:2] == ["7", "71 % (n=7)"]
    assert field["Vanhusten palvelut"][:2] == ["6", "67 % (n=6)"]


def test_after_the_deadline_the_report_is_not_preliminary(client, db, dataset):
    current, previous = dataset
    previous.deadline = utcnow() - timedelta(days=60)
    current.deadline = utcnow() - timedelta(days=1)
    db.session.commit()
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    assert tree.xpath('//*[@id="report-preliminary"]') == []
    assert "Change: \u22126 pp" in text(tree, '//*[@id="item-k1_1"]/p')


def test_no_change_without_a_previous_round(client, dataset):
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/syksy/report?lang=en")  # the earliest round
    assert "75 % of respondents" in text(tree, '//*[@id="item-k1_1"]/p')
    assert tree.xpath('//*[@class="report-change"]') == []


def test_a_regional_admin_sees_only_its_region(client, dataset):
    login(client, "lappi@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    assert "(2 development units answered this survey)" in text(
        tree, '//*[@id="report-respondents"]'
    )
    # Lappi: 1 yes, 1 planned → 50 % and 50 %; the previous round had no Lappi answers.
    sentence = text(tree, '//*[@id="item-k1_1"]/p[@class="report-sentence"]')
    assert "50 % of respondents" in sentence and "Change" not in sentence
    assert text(tree, '//*[@id="units-by-region"]/li') == "Lappi 2"
    region = table(tree, "breakdown-1-region")
    assert list(region) == ["Lappi", "Total"] and region["Lappi"][0] == "<5"
    # The total of a one-group table is that group: hidden with it, not given away.
    assert set(region["Total"]) == {"<5"}
    assert "Itä-Suomi" not in lxml.html.tostring(tree, encoding="unicode")


def test_login_required_unknown_round_and_language_switch(client, dataset):
    assert client.get("/admin/rounds/kevat/report").status_code == 302
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/nosuch/report").status_code == 404
    finnish = client.get("/admin/rounds/kevat/report")
    assert finnish.headers["Cache-Control"] == "no-store"
    assert 'lang="fi"' in finnish.get_data(as_text=True)
    swedish = client.get("/admin/rounds/kevat/report?lang=sv").get_data(as_text=True)
    assert 'lang="sv"' in swedish


def test_change_text_and_the_chart_alternative():
    assert [change_text(n) for n in (5, -3, 0)] == ["+5", "\u22123", "\u00b10"]
    options = [
        OptionShare("yes", "Kyllä", 9, 69),
        OptionShare("planned", "Suunnitteilla <b>", 2, 15),
        OptionShare("no", "Ei", 2, 15),
    ]
    svg = str(charts.stacked_bar("k1_1", options, 13, "vastanneita"))
    assert 'role="img"' in svg and "<title>" in svg
    assert "Kyllä 9 (69 %), Suunnitteilla &lt;b&gt; 2 (15 %), Ei 2 (15 %); vastanneita 13" in svg
    assert "<b>" not in svg
    # The yes share is 9/13 of the 400 wide bar.
    assert 'width="276.92"' in svg
