"""`flask questionnaires check PATH...`: every error named with its place."""

import re

import pytest

from survey_app.questionnaires.registry import DEFINITIONS_DIR

SHIPPED = sorted(DEFINITIONS_DIR.glob("*.yaml"))

VALID = """\
key: pilot
version: 1
title: {fi: Kokeilu, sv: Försök, en: Pilot}
sections:
  - code: s1
    title: {fi: Osa, sv: Del, en: Part}
    items:
      - code: a1
        type: single_choice
        options:
          - value: "yes"
            label: {fi: Kyllä, sv: Ja, en: "Yes"}
          - value: "no"
            label: {fi: Ei, sv: Nej, en: "No"}
        text: {fi: Kysymys, sv: Fråga, en: Question}
      - code: a2
        type: long_text
        max_length: 2000
        text: {fi: Kerro, sv: Berätta, en: Tell}
"""

# Five mistakes, each on its own item: line numbers of this text are not needed, the
# places are (section and item index).
BROKEN = """\
key: pilot
version: 1
title: {fi: Kokeilu, sv: Försök, en: Pilot}
sections:
  - code: s1
    title: {fi: Osa, sv: Del, en: Part}
    items:
      - code: a1
        type: short_text
        text: {fi: Yksi, sv: Ett, en: One}
      - code: a1
        type: short_text
        text: {fi: Kaksi, sv: Två, en: Two}
      - code: a3
        type: dropdown
        text: {fi: Kolme, sv: Tre, en: Three}
  - code: s2
    title: {fi: Toinen, sv: Andra, en: Second}
    items:
      - code: b1
        type: long_text
        text: {fi: Neljä, en: Four}
      - code: b2
        type: single_choice
        text: {fi: Viisi, sv: Fem, en: Five}
      - code: b3
        type: multiple_choice
        options:
          - value: x
            label: {fi: X, sv: X, en: X}
        max_length: 100
        text: {fi: Kuusi, sv: Sex, en: Six}
"""


def check(runner, *paths):
    return runner.invoke(args=["questionnaires", "check", *map(str, paths)])


def write(tmp_path, text, name="definition.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(result) -> list[str]:
    return [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]


def test_the_shipped_definitions_pass(runner):
    assert {path.name for path in SHIPPED} >= {"criteria-v1.yaml", "kehy-v1.yaml"}
    result = check(runner, *SHIPPED)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert re.search(r"criteria-v1\.yaml: OK \(criteria v1, 11 items\)", result.stdout)
    assert re.search(r"kehy-v1\.yaml: OK \(kehy v1, 12 items\)", result.stdout)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_each_shipped_definition_passes_alone(runner, path):
    result = check(runner, path)
    assert result.exit_code == 0, result.output
    assert ": OK (" in result.stdout


def test_a_valid_definition_passes(runner, tmp_path):
    result = check(runner, write(tmp_path, VALID))
    assert result.exit_code == 0, result.output
    assert "OK (pilot v1, 2 items)" in result.stdout


def test_broken_yaml_names_the_line(runner, tmp_path):
    text = VALID.replace(
        "    title: {fi: Osa, sv: Del, en: Part}", "    title: {fi: Osa, sv: Del, en: Part"
    )  # line 6: unclosed
    path = write(tmp_path, text)
    result = check(runner, path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = error_lines(result)
    assert len(lines) == 1
    match = re.match(rf"{re.escape(str(path))}:(\d+):(\d+): YAML syntax error", lines[0])
    assert match, lines
    # The parser notices the missing brace only on the next line it reads (7); the message
    # must still lead to line 6, where the brace is missing.
    assert match.group(1) == "6" or "at line 6)" in lines[0], lines[0]


def test_bad_indentation_names_its_line(runner, tmp_path):
    lines = VALID.splitlines()
    index = lines.index("        type: single_choice")
    lines[index] = "       type: single_choice"  # one space short
    result = check(runner, write(tmp_path, "\n".join(lines) + "\n"))
    assert result.exit_code == 1
    assert re.search(rf"definition\.yaml:{index + 1}:\d+: YAML syntax error", result.stderr), (
        result.stderr
    )


def test_tab_indentation_names_its_line(runner, tmp_path):
    text = VALID.replace("      - code: a2", "\t- code: a2")
    line = VALID.splitlines().index("      - code: a2") + 1
    result = check(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert re.search(rf"definition\.yaml:{line}:\d+: YAML syntax error", result.stderr), (
        result.stderr
    )


def test_every_error_is_listed_with_its_place(runner, tmp_path):
    path = write(tmp_path, BROKEN)
    result = check(runner, path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = error_lines(result)
    expected = [
        "sections[0].items[1].code: duplicate item code 'a1'",
        "sections[0].items[2].type: 'dropdown' is not one of",
        "sections[1].items[0].text.sv: missing text",
        "sections[1].items[1]: a choice item needs options or a scale",
        "sections[1].items[2].max_length: only for text items",
    ]
    for fragment in expected:
        assert any(line.startswith(fragment) for line in lines), (fragment, lines)
    assert len(lines) == len(expected), lines
    assert f"{path}: {len(expected)} error(s)" in result.stderr


def test_errors_of_several_files_are_all_reported(runner, tmp_path):
    good = write(tmp_path, VALID, name="good.yaml")
    broken = write(tmp_path, BROKEN, name="broken.yaml")
    syntax = write(tmp_path, "key: [unclosed\n", name="syntax.yaml")
    result = check(runner, good, broken, syntax)
    assert result.exit_code == 1
    assert "good.yaml: OK" in result.stdout
    assert f"{broken}: 5 error(s)" in result.stderr
    assert f"{syntax}: 1 error(s)" in result.stderr


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "must be a mapping"),
        ("- just\n- a list\n", "must be a mapping"),
        ("key: pilot\n", "sections: required"),
        (VALID.replace("version: 1", "version: one"), "version: required"),
        (VALID.replace("key: pilot", "key: Pilot Survey"), "key: required"),
        (VALID.replace("      - code: a2", "      - code: A-2"), "sections[0].items[1].code"),
        (VALID.replace("sv: Fråga, ", ""), "sections[0].items[0].text.sv: missing text"),
        (
            VALID.replace("en: Question", "en: Question, de: Frage"),
            "sections[0].items[0].text.de: unknown language",
        ),
        (
            VALID.replace("        max_length: 2000\n", "        max_length: 0\n"),
            "sections[0].items[1].max_length: must be a whole number",
        ),
        (
            VALID.replace('value: "no"', 'value: "yes"'),
            "sections[0].items[0].options[1].value: duplicate option value",
        ),
        (
            VALID.replace('value: "no"', "value: no"),
            "sections[0].items[0].options[1].value: required text",
        ),
        (
            VALID.replace("        max_length: 2000\n", "        maxlength: 2000\n"),
            "sections[0].items[1].maxlength: unknown key",
        ),
    ],
)
def test_single_mistakes_are_named(runner, tmp_path, text, fragment):
    result = check(runner, write(tmp_path, text))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert fragment in result.stderr, result.stderr


def test_non_utf8_file(runner, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.encode("latin-1"))
    assert b"\xf6" in path.read_bytes()
    result = check(runner, path)
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr
    assert "Traceback" not in result.output


def test_missing_path_is_a_usage_error(runner, tmp_path):
    result = check(runner, tmp_path / "nothing.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_no_path_is_a_usage_error(runner):
    assert check(runner).exit_code == 2
