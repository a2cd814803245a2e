"""`flask rounds import SLUG --title TEXT --closed-at YYYY-MM-DD PATH`: a past round from
a spreadsheet in the export's shape, all or nothing (BRIEF.md, "Rounds keep their
history")."""

import csv
import json
from datetime import UTC, datetime

from openpyxl import Workbook
from sqlalchemy import func, select, update

from survey_app.models import AuditEntry, Invitation, OutboxMessage, Round
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import invoke

CRITERIA = ["k1_1", "k1_2", "k1_3", "k2_1", "k2_2", "k2_3", "k3_1", "k3_2", "k3_3"]


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_round(runner, path, slug="joulu-07", closed_at="2007-12-14", code=0, *extra):
    return invoke(
        runner,
        "rounds",
        "import",
        slug,
        path,
        "--title",
        "Kartoitus joulukuu 2007",
        "--closed-at",
        closed_at,
        *extra,
        code=code,
    )


def results(runner, slug):
    return json.loads(invoke(runner, "results", "export", slug, "--format", "json"))


def test_an_exported_round_imports_as_the_same_numbers(db, runner, tmp_path):
    """Round trip: the CSV export of a round, imported as a past round, gives the same
    results and the same CSV (formula-like texts and multiple choices included)."""
    round_ = make_round(slug="alkuperainen")
    answers = [
        {"k1_1": "yes", "k1_2": "planned", "kehy_other": "=1+1", "kehy_name": "Yksikkö A"},
        {"k1_1": "no", "k2_1": "yes", "kehy_mission": 'Rivi 1\nRivi "2", pilkulla'},
        {},
    ]
    for values in answers:
        invitation, _link = make_invitation(round_=round_, unit=make_unit())
        make_response(invitation, values)
    round_.state = "closed"
    # Answered in December 2007, as the round it is imported as.
    db.session.execute(
        update(Invitation).values(submitted_at=datetime(2007, 12, 10, 9, 30, tzinfo=UTC))
    )
    db.session.commit()
    exported = tmp_path / "alkuperainen.csv"
    invoke(runner, "results", "export", "alkuperainen", "--format", "csv", "-o", exported)

    output = import_round(runner, exported, "tuotu")
    assert "3 submitted responses" in output

    original, imported = results(runner, "alkuperainen"), results(runner, "tuotu")
    assert imported == {**original, "round": "tuotu"}
    again = tmp_path / "tuotu.csv"
    invoke(runner, "results", "export", "tuotu", "--format", "csv", "-o", again)
    assert again.read_text("utf-8-sig") == exported.read_text("utf-8-sig")
    # A closed round, dated 16.00 Finnish time on its closing day, that mailed no one.
    imported_round = db.session.scalar(select(Round).filter_by(slug="tuotu"))
    assert imported_round.effective_state() == "closed"
    assert imported_round.imported_from == "alkuperainen.csv"
    assert imported_round.deadline.isoformat() == "2007-12-14T14:00:00+00:00"
    mailed = select(func.count()).select_from(OutboxMessage).join(Invitation)
    assert db.session.scalar(mailed.where(Invitation.round_id == imported_round.id)) == 0


def test_labels_and_values_in_any_case_and_an_xlsx_file(db, runner, tmp_path):
    unit_a, unit_b = make_unit(code="A1"), make_unit(code="B1")
    db.session.commit()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "k1_1", "k1_2", "kehy_staff"])
    sheet.append(["A1", "Kyllä", "Planned", 12])
    sheet.append(["B1", "nej", None, None])
    workbook.save(tmp_path / "joulu.xlsx")
    import_round(runner, tmp_path / "joulu.xlsx")
    data = results(runner, "joulu-07")
    k1_1 = next(item for item in data["items"] if item["code"] == "k1_1")
    assert k1_1["counts"] == {"yes": 1, "planned": 0, "no": 1}
    assert data["invited"] == data["responded"] == 2
    assert {unit_a.id, unit_b.id} == set(
        db.session.scalars(select(Invitation.unit_id).join(Round).filter(Round.slug == "joulu-07"))
    )


def test_every_bad_row_is_named_and_nothing_is_imported(db, runner, tmp_path):
    make_unit(code="A1")
    make_unit(code="A2")
    db.session.commit()
    path = write_csv(
        tmp_path / "huono.csv",
        ["code", "k1_1", "k1_2", "submitted_at"],
        [
            ["A1", "yes", "", ""],
            ["ZZ9", "yes", "", ""],  # unknown unit
            ["A2", "maybe", "", ""],  # not an option
            ["A1", "no", "", ""],  # repeated
            ["A2", "yes", "", "eilen"],  # not a date; A2 is repeated too
        ],
    )
    output = import_round(runner, path, code=1)
    lines = output.splitlines()
    assert any("row 3:" in line and "ZZ9" in line for line in lines), output
    assert any("row 4:" in line and "k1_1" in line and "maybe" in line for line in lines)
    assert any("row 5:" in line and "first on row 2" in line for line in lines)
    assert any("row 6:" in line and "eilen" in line for line in lines)
    assert not any("row 2:" in line for line in lines)
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_an_unknown_column_is_refused_with_the_expected_ones(db, runner, tmp_path):
    make_unit(code="A1")
    db.session.commit()
    path = write_csv(tmp_path / "sarake.csv", ["code", "k1_1", "k9_9"], [["A1", "yes", "no"]])
    output = import_round(runner, path, code=1)
    assert "k9_9" in output and "expected columns" in output
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_refusals_before_the_file_is_read(db, runner, tmp_path):
    make_unit(code="A1")
    db.session.commit()
    path = write_csv(tmp_path / "ok.csv", ["code", "k1_1"], [["A1", "yes"]])
    assert "YYYY-MM-DD" in import_round(runner, path, closed_at="14.12.2007", code=1)
    assert "in the past" in import_round(runner, path, closed_at="2999-01-01", code=1)
    assert "slug" in import_round(runner, path, slug="Iso Kirjain", code=1)
    output = import_round(
        runner, path, "joulu-07", "2007-12-14", 1, "--questionnaire", "criteria:9"
    )
    assert "criteria:9" in output
    import_round(runner, path)
    assert "exists already" in import_round(runner, path, code=1)


def test_the_import_is_audited_and_the_round_says_it_was_imported(db, runner, client, tmp_path):
    from tests.helpers import create, login

    make_unit(code="A1")
    db.session.commit()
    import_round(runner, write_csv(tmp_path / "joulu.csv", ["code", "k1_1"], [["A1", "yes"]]))
    entry = db.session.scalar(select(AuditEntry).filter_by(action="import past round"))
    assert entry.target == "round joulu-07"
    assert entry.admin_email.startswith("command line")
    assert entry.after == {"file": "joulu.csv", "responses": 1, "closed_at": "2007-12-14"}
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    page = client.get("/admin/rounds/joulu-07").get_data(as_text=True)
    assert "joulu.csv" in page


def _seed_file(path, yes_counts: dict[str, int], responders: int):
    """`responders` rows; item `code` says "yes" on the first yes_counts[code] rows and
    "no" on the rest."""
    header = ["code", *yes_counts]
    rows = [
        [f"K{n:02d}", *("yes" if n < count else "no" for count in yes_counts.values())]
        for n in range(responders)
    ]
    return write_csv(path, header, rows)


def test_the_february_report_shows_the_change_since_december(db, runner, client, tmp_path):
    """The seed's two rounds (joulukuu -07, helmikuu -08) from two CSV files: February's
    report (36 respondents, "92 % vastanneista" for k1_1) shows the change since December."""
    from tests.helpers import create, login

    for number in range(36):
        make_unit(code=f"K{number:02d}")
    db.session.commit()
    december = _seed_file(tmp_path / "joulu-07.csv", {"k1_1": 27, "k1_2": 18}, 36)  # 75 %, 50 %
    february = _seed_file(tmp_path / "helmi-08.csv", {"k1_1": 33, "k1_2": 20}, 36)  # 92 %, 56 %
    import_round(runner, december, "joulu-07", "2007-12-14")
    invoke(
        runner,
        "rounds",
        "import",
        "helmi-08",
        february,
        "--title",
        "Kartoitus helmikuu 2008",
        "--closed-at",
        "2008-02-29",
    )
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    page = client.get("/admin/rounds/helmi-08/report").get_data(as_text=True)
    text = " ".join(page.split())
    assert "92 % vastanneista" in text.replace("\u00a0", " ")
    assert "+17" in text  # 92 − 75
    assert "+6" in text  # 56 − 50
    assert "Kartoitus joulukuu 2007" in text


def test_a_submission_time_out_of_range_or_after_the_close_is_a_bad_row(db, runner, tmp_path):
    """Found in review: year 0001 crashed the import; a time after the close was kept."""
    make_unit(code="A1")
    make_unit(code="A2")
    db.session.commit()
    path = write_csv(
        tmp_path / "ajat.csv",
        ["code", "submitted_at", "k1_1"],
        [["A1", "0001-01-01", "yes"], ["A2", "2020-05-05", "yes"]],
    )
    output = import_round(runner, path, code=1)
    assert "Traceback" not in output
    assert "row 2: submitted_at" in output and "row 3: submitted_at" in output
    assert "after the round closed" in output
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0
