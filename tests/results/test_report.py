"""The report page on a fixed dataset, worked out by hand: percent of respondents,
planned shares, drafts not counting, suppressed small groups (with the complementary
cell), the change since the previous round in percentage points, the preliminary
marker, and a regional admin's numbers of its own region only."""

from datetime import timedelta

import lxml.html

from survey_app.models.types import utcnow
from survey_app.results import charts
from survey_app.results.aggregate import ItemCounts
from survey_app.results.report import OptionShare, _unit_counts, change_text
from survey_app.results.suppression import hidden_groups, hide_while_uniform
from survey_app.timeutil import HELSINKI
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, login


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


def test_report_numbers_by_hand(client, report_dataset):
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    assert "(13 development units answered this survey)" in text(
        tree, '//*[@id="report-respondents"]'
    )
    item = text(tree, '//*[@id="item-k1_1"]/p[@class="report-sentence"]')
    assert "69% of respondents" in item
    assert "15%" in item  # planned
    assert "Answered: 13" in item
    assert "Change: \u22126 pp" in item
    # The draft's "yes" to k1_2 counts nowhere: nobody answered it.
    assert text(tree, '//*[@id="item-k1_2"]//*[@class="report-yes"]') == ""
    assert len(tree.xpath('//*[@id="item-k1_2"]//*[local-name()="svg"]')) == 0
    label = tree.xpath('//*[@id="item-k1_1"]/*[local-name()="svg"]')[0].get("aria-label")
    assert "9 (69%)" in label and "2 (15%)" in label and "13" in label
    # The seed's order: the units by field, then by region, then the four criteria.
    month = utcnow().astimezone(HELSINKI).strftime("%B %Y")  # the English page's month
    assert [h.text_content() for h in tree.xpath("//h2")][:6] == [
        f"Units by field ({month})",
        "Units by region",
    ] + [f"Fulfilment of the criteria {n}. (4)" for n in (1, 2, 3, 4)]
    # Every criterion repeats the respondent line right under its heading, as the seed.
    assert [
        " ".join(p.text_content().split())
        for p in tree.xpath('//h2[starts-with(@id, "criterion-")]/following-sibling::p[1]')
    ] == ["(13 development units answered this survey)"] * 4
    assert "Preliminary" in text(tree, '//*[@id="report-preliminary"]')
    assert "Invited: 14." in text(tree, '//*[@id="report-invited"]')
    # Units of the round (the draft unit is invited too, an active Lastensuojelu one in
    # Itä-Suomi): fields as "Lastensuojelu 7 (+ 1)", regions with all their units as
    # "Itä-Suomi 7" (the seed's region list has one number and adds up to all units).
    assert text(tree, '//*[@id="units-total"]') == (
        "Development units in total 14, of which active 13 (+ preparing 1)."
    )
    assert (
        text(tree, '//*[@id="units-by-field"]/li')
        == "Child protection 7 (+ 1) Services for older people 6"
    )
    assert (
        text(tree, '//*[@id="units-by-region"]/li')
        == "Eastern Finland 7 Northern Finland 5 Lapland 2"
    )


def test_item_codes_have_a_visible_key_and_full_header_text(client, report_dataset):
    """The tables' columns are item codes; the full item text is in every header for
    screen readers (not only in a title attribute), a visible key above the tables maps
    code to text for print and touch, and the items list shows the codes too."""
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    item_text = text(tree, '//*[@id="item-k1_1"]/p[@class="report-item-text"]')
    code = text(tree, '//*[@id="item-k1_1"]//*[@class="report-item-code"]')
    assert code == "k1_1" and item_text.startswith("k1_1 ") and len(item_text) > 10
    full = item_text.removeprefix("k1_1 ")
    key = {
        " ".join(pair.xpath("dt")[0].text_content().split()): " ".join(
            pair.xpath("dd")[0].text_content().split()
        )
        for pair in tree.xpath('//*[@id="key-1"]/dl/div')
    }
    codes = [
        li.get("id").removeprefix("item-")
        for li in tree.xpath('//*[@id="criterion-1"]//li[@class="report-item"]')
    ]
    assert list(key) == codes and key["k1_1"] == full
    for key_name in ("field", "region", "status"):
        headers = tree.xpath(f'//table[@id="breakdown-1-{key_name}"]/thead/tr/th')[2:]
        assert [" ".join(th.text_content().split()) for th in headers] == [
            f"{code}: {key[code]}" for code in codes
        ]
        hidden = headers[0].xpath('.//*[@class="visually-hidden"]')
        assert " ".join(hidden[0].text_content().split()) == f": {full}"
    assert tree.xpath("//abbr[@title]") == []


def test_one_respondent_reads_in_the_singular(client, db, runner):
    """A round answered by one unit: "(1 development unit answered this survey)", no
    "(+ preparing 0)", and every group of its breakdowns hidden."""
    round_ = make_round(slug="pieni")
    invitation, _ = make_invitation(
        round_=round_, unit=make_unit(region="Lappi", field="Lastensuojelu")
    )
    make_response(invitation, {"k1_1": "yes"})
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/pieni/report?lang=en")
    assert text(tree, '//*[@id="report-respondents"]') == (
        "(1 development unit answered this survey)"
    )
    assert text(tree, '//*[@class="report-criterion-respondents"]').split(") (")[0] == (
        "(1 development unit answered this survey"
    )
    assert text(tree, '//*[@id="units-total"]') == "Development units in total 1."
    assert text(tree, '//*[@id="units-by-field"]/li') == "Child protection 1"
    assert text(tree, '//*[@id="item-k1_1"]//*[@class="report-yes"]') == "100% of respondents"
    field = table(tree, "breakdown-1-field")
    assert set(field["Child protection"]) == {"<5"} and set(field["Total"]) == {"<5"}


def test_units_in_the_seeds_order():
    """The seed's own tables (helmikuu -08): fields largest first by active units, a tie
    by preparing ("Vammaispalvelut 4 (+4)", "Varhaiskasvatus 4 (+2)", "Päihdepalvelut 4
    (+1)"); 47 active + 11 preparing = 58, which the region list (one number per
    region) adds up to."""
    fields = {
        "Varhaiskasvatus": (4, 2),
        "Asunnottomien palvelut": (1, 0),
        "Lastensuojelu": (17, 0),
        "Päihdepalvelut": (4, 1),
        "Vammaispalvelut": (4, 4),
        "Aikuisten palvelut": (6, 2),
        "Monikulttuuriset palvelut": (2, 0),
        "Vanhusten palvelut": (9, 2),
    }
    rows = _unit_counts({k: {"active": a, "preparing": p} for k, (a, p) in fields.items()})
    assert [(row.name, row.active, row.preparing) for row in rows] == [
        ("Lastensuojelu", 17, 0),
        ("Vanhusten palvelut", 9, 2),
        ("Aikuisten palvelut", 6, 2),
        ("Vammaispalvelut", 4, 4),
        ("Varhaiskasvatus", 4, 2),
        ("Päihdepalvelut", 4, 1),
        ("Monikulttuuriset palvelut", 2, 0),
        ("Asunnottomien palvelut", 1, 0),
    ]
    assert sum(row.active for row in rows) == 47 and sum(row.preparing for row in rows) == 11
    # A field with more units but fewer active ones comes after: the first number falls.
    rows = _unit_counts({"A": {"active": 3, "preparing": 0}, "B": {"active": 2, "preparing": 5}})
    assert [row.name for row in rows] == ["A", "B"]
    # Regions by all their units, ties by name.
    regions = {"Lappi": (2, 1), "Itä-Suomi": (9, 1), "Keski-Suomi": (3, 0)}
    rows = _unit_counts(
        {k: {"active": a, "preparing": p} for k, (a, p) in regions.items()}, by_total=True
    )
    assert [(row.name, row.total) for row in rows] == [
        ("Itä-Suomi", 10),
        ("Keski-Suomi", 3),
        ("Lappi", 3),
    ]


def test_small_groups_and_their_complement_are_suppressed(client, report_dataset):
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    region = table(tree, "breakdown-1-region")
    assert region["Eastern Finland"][:2] == ["6", "83% (n=6)"]  # 5 of 6 yes; the draft is not
    assert region["Northern Finland"] == ["<5"] * 4  # complementary: the next smallest
    assert region["Lapland"] == ["<5"] * 4
    # Nobody answered k1_2 and k1_3 (the draft does not count): a dash, not "0 %".
    assert region["Total"] == ["13", "69% (n=13)", "– no answers", "– no answers"]
    status = table(tree, "breakdown-1-status")
    assert status["Active units"] == ["<5"] * 4 and status["Preparing units"] == ["<5"] * 4
    field = table(tree, "breakdown-1-field")
    # Lastensuojelu: PLAN's even places: yes at 0, 2, 4, 6, 8; no at 10; planned at 12
    # → 5/7 = 71 %. Vanhusten palvelut: yes at 1, 3, 7, 11 → 4/6 = 67 %. Both shown.
    assert field["Child protection"][:2] == ["7", "71% (n=7)"]
    assert field["Services for older people"][:2] == ["6", "67% (n=6)"]


def test_after_the_deadline_the_report_is_not_preliminary(client, db, report_dataset):
    current, previous = report_dataset
    previous.deadline = utcnow() - timedelta(days=60)
    current.deadline = utcnow() - timedelta(days=1)
    db.session.commit()
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    assert tree.xpath('//*[@id="report-preliminary"]') == []
    assert "Change: \u22126 pp" in text(tree, '//*[@id="item-k1_1"]/p')


def test_no_change_without_a_previous_round(client, report_dataset):
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/syksy/report?lang=en")  # the earliest round
    assert "75% of respondents" in text(tree, '//*[@id="item-k1_1"]/p')
    assert tree.xpath('//*[@class="report-change"]') == []


def test_a_regional_admin_sees_only_its_region(client, report_dataset):
    login(client, "lappi@example.fi")
    tree = page(client, "/admin/rounds/kevat/report?lang=en")
    assert "(2 development units answered this survey)" in text(
        tree, '//*[@id="report-respondents"]'
    )
    # Lappi: 1 yes, 1 planned → 50 % and 50 %; the previous round had no Lappi answers.
    sentence = text(tree, '//*[@id="item-k1_1"]/p[@class="report-sentence"]')
    assert "50% of respondents" in sentence and "Change" not in sentence
    assert text(tree, '//*[@id="units-by-region"]/li') == "Lapland 2"
    region = table(tree, "breakdown-1-region")
    assert list(region) == ["Lapland", "Total"] and region["Lapland"][0] == "<5"
    # The total of a one-group table is that group: hidden with it, not given away.
    assert set(region["Total"]) == {"<5"}
    assert "Eastern Finland" not in lxml.html.tostring(tree, encoding="unicode")


def test_login_required_unknown_round_and_language_switch(client, report_dataset):
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
    assert (
        "Kyllä 9 (69\u00a0%), Suunnitteilla &lt;b&gt; 2 (15\u00a0%), Ei 2 (15\u00a0%); "
        "vastanneita 13" in svg
    )
    assert "<b>" not in svg
    # The yes share is 9/13 of the 400 wide bar.
    assert 'width="276.92"' in svg


def test_hidden_groups_that_all_said_no_are_not_given_away(client, db, runner):
    """Regions (k1_1): Itä-Suomi 6 × yes; Pohjois-Suomi 3 yes + 2 no; Lappi 2 × no;
    Kainuu no, planned, no → 9 yes of 16 = 56 %. Lappi (2) and Kainuu (3) are under 5 and
    hidden together, but 9 − 6 − 3 = 0 "yes" of 16 − 11 = 5 would be left for them: both
    0 %, worked out by difference. So Pohjois-Suomi is hidden as well (3 yes of 10 left
    for the three: nothing certain about any one)."""
    round_ = make_round(slug="nollat")
    plan = (
        [("Itä-Suomi", "yes")] * 6
        + [("Pohjois-Suomi", "yes")] * 3
        + [("Pohjois-Suomi", "no")] * 2
        + [("Lappi", "no")] * 2
        + [("Kainuu", "no"), ("Kainuu", "planned"), ("Kainuu", "no")]
    )
    for region, value in plan:
        unit = make_unit(region=region, field="Lastensuojelu", status="active")
        invitation, _ = make_invitation(round_=round_, unit=unit)
        make_response(invitation, {"k1_1": value})
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    tree = page(client, "/admin/rounds/nollat/report?lang=en")
    assert "56% of respondents" in text(tree, '//*[@id="item-k1_1"]/p')
    region = table(tree, "breakdown-1-region")
    assert region["Eastern Finland"][:2] == ["6", "100% (n=6)"]
    for name in ("Northern Finland", "Kainuu", "Lapland"):
        assert region[name] == ["<5"] * 4, name
    assert region["Total"][:2] == ["16", "56% (n=16)"]
    # One field of 16: nothing to hide.
    assert table(tree, "breakdown-1-field")["Child protection"][:2] == ["16", "56% (n=16)"]


def test_a_share_the_whole_round_has_hides_nothing_more():
    """All yes (or nobody answered): 100% is on the page for everyone already, so the
    two small groups' 100 % by difference asks for no third hidden group."""
    respondents = {"A": 6, "B": 2, "C": 2}
    counts = {group: {"k1_1": ItemCounts(n, {"yes": n})} for group, n in respondents.items()}
    totals = {"k1_1": ItemCounts(10, {"yes": 10})}
    hidden = hidden_groups(respondents, 5)
    assert hidden == {"B", "C"}
    assert hide_while_uniform(respondents, hidden, counts, ["k1_1", "k1_2"], totals) == {"B", "C"}
    # One "no" in A: B and C together are then 4 yes of 4, 100 % each → A hidden too.
    counts["A"] = {"k1_1": ItemCounts(6, {"yes": 5, "no": 1})}
    totals = {"k1_1": ItemCounts(10, {"yes": 9, "no": 1})}
    assert hide_while_uniform(respondents, hidden, counts, ["k1_1"], totals) == {"A", "B", "C"}
