"""Authors publish new questionnaire versions themselves (issue 15): the criteria
questionnaire exported as a spreadsheet or YAML, changed, published as the next version;
a new round pins it; the report compares an item with the previous round only when both
asked it with the same options; a broken file is refused at its cell, storing nothing."""

import copy
import io
import shutil
from datetime import timedelta

import lxml.html
import pytest
import yaml
from sqlalchemy import func, select

from survey_app.models import AuditEntry, QuestionnaireVersion, Round
from survey_app.models.types import utcnow
from survey_app.questionnaires import registry
from survey_app.questionnaires.files import definition_as_file
from survey_app.questionnaires.registry import same_content, shipped_definitions
from survey_app.questionnaires.xlsform_read import read_xlsform
from survey_app.questionnaires.xlsform_write import write_xlsform
from survey_app.rounds.services import create_round
from tests.definitions import EVERYTHING
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, invoke, login
from tests.questionnaires.workbook import Workbook, add_new_item
from tests.rounds.helpers import new_round, post


def versions(db, key="criteria") -> list[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(QuestionnaireVersion.key, QuestionnaireVersion.version)
        .filter_by(key=key)
        .order_by(QuestionnaireVersion.version)
    )
    return [tuple(row) for row in rows]


@pytest.fixture
def earlier_round(db):
    """The closed round before: 4 units answered k1_1 (3 yes = 75 %) and k1_2."""
    earlier = make_round(slug="syksy", deadline=utcnow() + timedelta(days=7))
    for value in ["yes", "yes", "yes", "no"]:
        invitation, _ = make_invitation(round_=earlier, unit=make_unit())
        make_response(invitation, {"k1_1": value, "k1_2": "planned"})
    earlier.state, earlier.closed_at = "closed", utcnow()
    db.session.commit()
    return earlier


def create_round_with_the_newest(client, db) -> Round:
    """An admin creates a round on the form as it comes (the newest versions), and it
    opens; two units answer it (k1_1 yes and no: 50 %, −25 pp)."""
    login(client, "paa@example.fi")
    form = client.get("/admin/rounds/new?lang=en").get_data(as_text=True)
    assert "(criteria, v3)" in form
    assert "(criteria, v2, an earlier version)" in form  # offered on request
    created = post(client, "/admin/rounds/new", **new_round(questionnaires=["criteria:3"]))
    assert created.status_code == 303, created.get_data(as_text=True)
    round_ = db.session.scalar(select(Round).filter_by(slug="kevat-2099"))
    round_.state, round_.opened_at = "open", utcnow()
    for answers in ({"k1_1": "yes", "k1_2": "yes", "k1_9": "yes"}, {"k1_1": "no", "k1_2": "no"}):
        invitation, _ = make_invitation(round_=round_, unit=make_unit())
        make_response(invitation, answers)
    db.session.commit()
    return round_


def report_items(client) -> dict[str, str]:
    html = client.get("/admin/rounds/kevat-2099/report?lang=en").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    return {
        item.get("id")[5:]: " ".join(item.text_content().split())
        for item in tree.xpath('//li[@class="report-item"]')
    }


def test_an_author_rewords_and_adds_an_item_in_the_spreadsheet_and_the_report_stays_honest(
    runner, db, client, tmp_path, earlier_round
):
    create(runner, "paa@example.fi", "--role", "national")
    exported = tmp_path / "criteria.xlsx"
    assert "Wrote criteria v2" in invoke(
        runner, "questionnaires", "export", "criteria", "--format", "xlsx", "-o", exported
    )
    workbook = Workbook(exported)
    row = workbook.find("survey", "name", "k1_1")
    workbook.set("survey", row, "label::sv", "Verksamhetsstrukturen är ett nätverk")
    add_new_item(workbook)
    published = invoke(runner, "questionnaires", "publish", workbook.save(tmp_path / "v3.xlsx"))
    assert "Published criteria v3" in published
    assert "k1_9: new" in published and "k1_1: reworded (sv)" in published
    assert versions(db) == [("criteria", 2), ("criteria", 3)]
    audit = db.session.scalar(select(AuditEntry).filter_by(action="publish questionnaire"))
    assert audit.target == "criteria v3" and audit.after == {"file": "v3.xlsx"}

    round_ = create_round_with_the_newest(client, db)
    assert [(v.key, v.version) for v in round_.questionnaire_versions] == [("criteria", 3)]
    k1_1 = round_.questionnaires[0].items[0]
    assert k1_1.text["sv"] == "Verksamhetsstrukturen är ett nätverk"
    items = report_items(client)
    assert "Change: \u221225 pp" in items["k1_1"]  # reworded, same options: compared
    assert "Change: +50 pp" in items["k1_2"]  # 50 % yes against none before
    assert "New item: not asked in the previous round." in items["k1_9"]
    assert "Change:" not in items["k1_9"]


def test_a_yaml_file_published_on_the_command_line_behaves_the_same(
    runner, db, client, tmp_path, earlier_round
):
    create(runner, "paa@example.fi", "--role", "national")
    exported = tmp_path / "criteria.yaml"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "yaml", "-o", exported)
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert data == shipped_definitions()["criteria"]
    items = data["sections"][0]["items"]
    items[0]["text"]["sv"] = "Verksamhetsstrukturen är ett nätverk"
    items.append({**items[0], "code": "k1_9", "text": {"fi": "Uusi", "sv": "Ny", "en": "New"}})
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    published = invoke(runner, "questionnaires", "publish", changed)
    assert "Published criteria v3" in published and "k1_9: new" in published
    # The same file again, or the version exported from it, stores nothing more.
    again = invoke(runner, "questionnaires", "publish", changed)
    assert "criteria v3 asks exactly this; nothing stored" in again
    workbook = tmp_path / "3.xlsx"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "xlsx", "-o", workbook)
    assert "nothing stored" in invoke(runner, "questionnaires", "publish", workbook)
    assert versions(db) == [("criteria", 2), ("criteria", 3)]
    listed = invoke(runner, "questionnaires", "list")
    assert "criteria v2" in listed and "criteria v3" in listed

    create_round_with_the_newest(client, db)
    report = report_items(client)
    assert "Change: \u221225 pp" in report["k1_1"]
    assert "New item: not asked in the previous round." in report["k1_9"]


def test_an_item_asked_with_other_options_is_marked_changed_not_compared(
    runner, db, client, tmp_path, earlier_round
):
    """k1_2 keeps its code but is now yes/no: its "yes" counts another thing."""
    create(runner, "paa@example.fi", "--role", "national")
    exported = tmp_path / "criteria.xlsx"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "xlsx", "-o", exported)
    workbook = Workbook(exported)
    workbook.set("survey", workbook.find("survey", "name", "k1_2"), "type", "select_one k1_2")
    for value, fi in (("no", "Ei"), ("yes", "Kyllä")):
        workbook.insert(
            "choices", 2, list_name="k1_2", name=value, label__fi=fi, label__sv=fi, label__en=value
        )
    add_new_item(workbook)
    published = invoke(runner, "questionnaires", "publish", workbook.save(tmp_path / "v3.xlsx"))
    assert "k1_2: other options than before" in published
    create_round_with_the_newest(client, db)
    items = report_items(client)
    assert "Change: \u221225 pp" in items["k1_1"]
    assert "Changed item: the previous round asked it with other options" in items["k1_2"]
    assert "Change:" not in items["k1_2"]


def test_a_broken_spreadsheet_is_refused_at_its_sheet_row_and_column(runner, db, tmp_path):
    exported = tmp_path / "criteria.xlsx"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "xlsx", "-o", exported)
    before = versions(db)
    workbook = Workbook(exported)
    k1_1 = workbook.find("survey", "name", "k1_1")
    workbook.set("survey", k1_1, "label::sv", None)
    workbook.set("survey", k1_1 + 1, "type", "select_one nosuch")
    workbook.set("survey", k1_1 + 2, "constraint", ". > 3")
    workbook.set("choices", 2, "name", None)
    refused = invoke(
        runner, "questionnaires", "publish", workbook.save(tmp_path / "b.xlsx"), code=1
    )
    assert f"survey sheet, row {k1_1}, column label::sv: missing text" in refused
    assert f"survey sheet, row {k1_1 + 1}, column type: no list 'nosuch'" in refused
    assert f"survey sheet, row {k1_1 + 2}, column constraint: '. > 3'" in refused
    assert "choices sheet, row 2, column name: required text" in refused
    assert "Traceback" not in refused
    assert versions(db) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda wb: wb.book.remove(wb.book["choices"]), "no sheet named choices"),
        (
            lambda wb: wb.set("settings", 2, "form_title::en", None),
            "settings sheet, row 2, column form_title::en: missing text",
        ),
        (
            lambda wb: wb.set("survey", 3, "type", "note"),
            "survey sheet, row 3, column type: 'note' is not one of",
        ),
        (
            lambda wb: wb.set("survey", 3, "required", "maybe"),
            "survey sheet, row 3, column required: write yes or no",
        ),
        (
            lambda wb: wb.set("survey", 3, "name", "K 1"),
            "survey sheet, row 3, column name: required, lowercase",
        ),
    ],
)
def test_single_mistakes_in_a_spreadsheet_are_named(runner, db, tmp_path, change, message):
    exported = tmp_path / "criteria.xlsx"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "xlsx", "-o", exported)
    workbook = Workbook(exported)
    change(workbook)
    refused = invoke(
        runner, "questionnaires", "publish", workbook.save(tmp_path / "b.xlsx"), code=1
    )
    assert message in refused


def test_any_version_exports_on_a_fresh_database(runner, db, tmp_path):
    """The shipped versions are versions before any round has stored them."""
    for number, expected in ((2, 0), (9, 1), (99999999999, 2)):
        path = tmp_path / f"{number}.yaml"
        out = invoke(
            runner,
            "questionnaires",
            "export",
            "criteria",
            "--version",
            number,
            "--format",
            "yaml",
            "-o",
            path,
            code=expected,
        )
        assert (expected == 0) == path.exists(), out
    assert yaml.safe_load(path.with_name("2.yaml").read_text(encoding="utf-8"))["version"] == 2


def test_a_file_that_is_not_a_workbook_is_refused(runner, db, tmp_path):
    for name, content in (("x.xlsx", b"PK\x03\x04 not a zip"), ("x.txt", b"key: x")):
        (tmp_path / name).write_bytes(content)
        refused = invoke(runner, "questionnaires", "publish", tmp_path / name, code=1)
        assert "error" in refused and "Traceback" not in refused
    assert versions(db) == []


@pytest.mark.parametrize("definition", [EVERYTHING, *shipped_definitions().values()])
def test_a_workbook_written_from_a_version_reads_back_as_the_same_version(definition):
    assert read_xlsform(write_xlsform(definition)) == definition
    assert yaml.safe_load(io.BytesIO(definition_as_file(definition, "yaml"))) == definition
    assert same_content(definition, {**definition, "version": 99})


def test_texts_a_spreadsheet_would_misread_come_back_as_they_were():
    """A text that starts with "=" is not a formula; spaces and line ends are kept; a
    tiny limit is not written in a form the reader refuses."""
    definition = copy.deepcopy(EVERYTHING)
    item = definition["sections"][0]["items"][0]
    item["text"]["fi"] = '=HYPERLINK("http://example.com","Klikkaa")'
    item["help"]["sv"] = "  Två rader\noch mellanslag  "
    definition["sections"][0]["items"][2]["min"] = 1e-07
    assert read_xlsform(write_xlsform(definition)) == definition


def test_an_unknown_column_is_named_not_ignored(runner, db, tmp_path):
    exported = tmp_path / "criteria.xlsx"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "xlsx", "-o", exported)
    workbook = Workbook(exported)
    worksheet, header = workbook.rows("survey")
    worksheet.cell(row=1, column=header.index("hint::sv") + 1).value = "hnit::sv"
    refused = invoke(
        runner, "questionnaires", "publish", workbook.save(tmp_path / "b.xlsx"), code=1
    )
    assert "survey sheet, row 1, column hnit::sv: unknown column" in refused


def test_a_round_asks_one_version_of_each_questionnaire(runner, db, client, tmp_path):
    create(runner, "paa@example.fi", "--role", "national")
    data = {**shipped_definitions()["criteria"]}
    data["title"] = {**data["title"], "en": "Criteria, spring"}
    changed = tmp_path / "c.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    invoke(runner, "questionnaires", "publish", changed)
    login(client, "paa@example.fi")
    both = new_round(questionnaires=["criteria:3", "criteria:2"])
    refused = post(client, "/admin/rounds/new?lang=en", **both)
    assert refused.status_code == 422
    assert "Choose one version of each questionnaire." in refused.get_data(as_text=True)
    older = post(client, "/admin/rounds/new", **new_round(questionnaires=["criteria:2", "kehy:2"]))
    assert older.status_code == 303
    round_ = db.session.scalar(select(Round).filter_by(slug="kevat-2099"))
    assert [(v.key, v.version) for v in round_.questionnaire_versions] == [
        ("criteria", 2),
        ("kehy", 2),
    ]


def test_a_release_shipping_the_number_an_author_published_does_not_replace_it(
    runner, db, tmp_path, monkeypatch
):
    """Authors published criteria v3; a later release ships its own criteria-v3.yaml.
    The published v3 stays v3 and new rounds keep working; a release's v4 comes after."""
    data = copy.deepcopy(shipped_definitions()["criteria"])
    data["title"]["en"] = "Criteria as the authors wrote them"
    authored = tmp_path / "authored.yaml"
    authored.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    invoke(runner, "questionnaires", "publish", authored)
    folder = tmp_path / "definitions"
    shutil.copytree(registry.DEFINITIONS_DIR, folder)
    monkeypatch.setattr(registry, "DEFINITIONS_DIR", folder)
    shipped = (folder / "criteria-v2.yaml").read_text(encoding="utf-8")
    (folder / "criteria-v3.yaml").write_text(
        shipped.replace("version: 2\n", "version: 3\n").replace("on verkostoitunut", "on verkko"),
        encoding="utf-8",
    )
    round_ = create_round("syksy", "Syksy", utcnow() + timedelta(days=30), ("criteria",))
    assert round_.questionnaires[0].title["en"] == "Criteria as the authors wrote them"
    exported = tmp_path / "3.yaml"
    invoke(runner, "questionnaires", "export", "criteria", "--format", "yaml", "-o", exported)
    assert "Criteria as the authors wrote them" in exported.read_text(encoding="utf-8")
    (folder / "criteria-v4.yaml").write_text(
        shipped.replace("version: 2\n", "version: 4\n"), encoding="utf-8"
    )
    later = create_round("kevat", "Kevät", utcnow() + timedelta(days=40), ("criteria",))
    assert [(v.key, v.version) for v in later.questionnaire_versions] == [("criteria", 4)]
