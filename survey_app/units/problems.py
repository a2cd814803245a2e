"""What can be wrong with a roster file or a unit's values, named by kind.

The command line prints the English texts below; the admin's web translates each kind
itself (survey_app/units/roster_upload.py, forms.py), so both tell of the same
problems, found by the same checks.
"""

from dataclasses import dataclass, field

MESSAGES = {
    "not_utf8": "the file is not UTF-8 text (byte {byte})",
    "empty_file": "the file is empty: expected a header row",
    "not_xlsx": "the file is not a readable XLSX workbook ({detail})",
    "missing_columns": "missing column(s): {columns}",
    "unknown_columns": "unknown column(s): {columns}",
    "repeated_columns": "repeated column(s): {columns}",
    "expected_columns": "expected columns: {columns}",
    "bad_csv": "the file is not readable CSV ({detail})",
    "too_many_rows": "the file has more than {limit} rows",
    "too_many_columns": "the sheet has rows of more than {limit} cells",
    "no_units": "the file has a header but no units",
    "cell_count": "{cells} cells, header has {columns}",
    "empty": "{field} is empty",
    "invalid_code": (
        "code {value!r}: use only A-Z, a-z, 0-9, '.', '_' and '-', at most 32 characters,"
        " not '.' or '..'"
    ),
    "control_characters": "line break or control character in {fields}",
    "too_long": "{field} is longer than {limit} characters",
    "unknown_status": (
        "unknown status {value!r} (use active/preparing or varsinainen/valmisteleva)"
    ),
    "unknown_language": "unknown language {value!r} (use fi, sv or en)",
    "unknown_field": (
        "unknown field {value!r} (use one of: {known}; or its code or name in sv or en)"
    ),
    "unknown_region": (
        "unknown region {value!r} (use one of: {known}; or its code or name in sv or en)"
    ),
    "invalid_email": "invalid contact_email {value!r}",
    "duplicate_code": "duplicate code {code!r} (first on row {first})",
    # Only for an admin limited to one region (the web's upload).
    "other_region": "region {value!r} is not {region}",
    "code_in_other_region": "code {code!r} belongs to a unit of another region",
}


@dataclass
class Problem:
    """One problem; `row` is the file's row number (the header is row 1), `fields` the
    columns it concerns, `params` what the message names."""

    kind: str
    row: int | None = None
    fields: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)

    def english(self) -> str:
        return MESSAGES[self.kind].format(**self.params)

    def __str__(self) -> str:
        prefix = f"row {self.row}: " if self.row is not None else ""
        return prefix + self.english()


class RosterError(ValueError):
    """The file cannot be imported; `errors` names each problem (row number first)."""

    def __init__(self, problems: list[Problem] | list[str]):
        self.problems = [p for p in problems if isinstance(p, Problem)]
        self.errors = [str(p) for p in problems]
        super().__init__("\n".join(self.errors))


def row_lines(problems: list[Problem]) -> list[str]:
    """One line per row, "row N: first; second", in the order the rows came."""
    by_row: dict[int | None, list[str]] = {}
    lines = []
    for problem in problems:
        if problem.row is None:
            lines.append(problem.english())
            continue
        if problem.row not in by_row:
            by_row[problem.row] = []
            lines.append(problem.row)
        by_row[problem.row].append(problem.english())
    return [
        f"row {line}: {'; '.join(by_row[line])}" if isinstance(line, int) else line
        for line in lines
    ]
