"""`flask results export SLUG --format json|csv|xlsx [-o PATH]`: every unit of every
region, the JSON exactly the contract, refusals with exit 1."""

import json

from openpyxl import load_workbook

from tests.results.export_data import expected_json, read_csv


def test_json_to_stdout_is_the_contract(runner, export_dataset):
    result = runner.invoke(args=["results", "export", "syksy", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes.decode("utf-8")) == expected_json()


def test_csv_and_xlsx_to_files(runner, export_dataset, tmp_path):
    target = tmp_path / "syksy.csv"
    result = runner.invoke(args=["results", "export", "syksy", "--format", "csv", "-o", target])
    assert result.exit_code == 0, result.output
    rows = read_csv(target.read_bytes())
    assert [row[0] for row in rows[1:]] == ["A1", "A2", "B1"]
    assert rows[1][1] == "'=1+1 yksikkö"

    workbook_path = tmp_path / "syksy.xlsx"
    args = ["results", "export", "syksy", "--format", "xlsx", "--output", workbook_path]
    assert runner.invoke(args=args).exit_code == 0
    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == ["responses", "item summary", "units"]
    assert workbook["responses"]["B3"].value == "'=1+1 yksikkö"
    assert workbook["responses"]["B3"].data_type == "s"
    assert not list(tmp_path.glob(".*.partial"))


def test_csv_to_stdout_has_the_bom(runner, export_dataset):
    result = runner.invoke(args=["results", "export", "syksy", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert len(read_csv(result.stdout_bytes)) == 4


def test_unknown_round_and_bad_format_are_refused(runner, export_dataset, tmp_path):
    target = tmp_path / "out.json"
    result = runner.invoke(args=["results", "export", "ei-ole", "--format", "json", "-o", target])
    assert result.exit_code == 1
    assert "ei-ole" in result.output
    assert not target.exists()
    result = runner.invoke(args=["results", "export", "syksy", "--format", "pdf"])
    assert result.exit_code == 2
    assert "pdf" in result.output


def test_a_workbook_is_not_written_to_a_terminal(db, export_dataset, database_url):
    """As an admin types it in a terminal (stdout a real pseudo-terminal): an XLSX is
    binary, so the command says to use -o instead of filling the screen with it."""
    import os
    import pty
    import subprocess
    import sys

    db.session.commit()
    db.session.remove()  # the command runs in its own process, on the same database
    leader, follower = pty.openpty()
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "flask", "--app", "survey_app"]
    try:
        result = subprocess.run(
            [*command, "results", "export", "syksy", "--format", "xlsx"],
            env=env,
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 1
    assert "-o PATH" in result.stderr
    # Piped, the same command writes the workbook.
    piped = subprocess.run(
        [*command, "results", "export", "syksy", "--format", "xlsx"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK")
