"""A questionnaire workbook with any cell changed to anything a spreadsheet can hold:
`read_xlsform` gives a definition the app can build or a DefinitionError naming each
problem at its sheet (and row), never another exception; the page refuses it with a
4xx in the admin's language."""

import io
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey_app.authoring.problems import problem_text
from survey_app.models.definition import Questionnaire
from survey_app.questionnaires.validation import DefinitionError, validate_definition
from survey_app.questionnaires.xlsform_read import read_xlsform
from survey_app.questionnaires.xlsform_write import write_xlsform
from tests.bad_input.strategies import examples, nasty_text
from tests.definitions import EVERYTHING
from tests.helpers import make_app

FINNISH = make_app("sqlite://")

WORKBOOK = write_xlsform(EVERYTHING)
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2999, 1, 1)),
    nasty_text().map(lambda text: "".join(c for c in text if c.isprintable())[:200]),
    st.sampled_from(
        [
            "select_one",
            "select_one yes_no",
            "select_multiple nosuch",
            "text",
            "integer",
            "begin_group",
            "end_group",
            "begin group",
            "yes",
            "no",
            ". >= 3",
            ". <= x",
            "string-length(.) <= 5",
            "unit.name",
            "label::de",
            "fi",
            "multiline",
            "1.5",
        ]
    ),
)
CHANGE = st.tuples(
    st.sampled_from(["survey", "choices", "settings"]),
    st.integers(1, 12),  # rows
    st.integers(1, 14),  # columns
    CELLS,
)


# Where a problem is: a cell, a sheet, or the whole file (openpyxl's warnings are
# errors in the tests, and a file it warns about is refused as unreadable).
PLACES = ("survey sheet", "choices sheet", "settings sheet", "the workbook", "not an XLSX")


# Where a problem is: a cell, a sheet, or the whole file (openpyxl's warnings are
# errors in the tests, and a file it warns about is refused as unreadable).
PLACES = ("survey sheet", "choices sheet", "settings sheet", "the workbook", "not an XLSX")


def changed(changes) -> bytes:
    book = load_workbook(io.BytesIO(WORKBOOK))
    for sheet, row, column, value in changes:
        try:
            book[sheet].cell(row=row, column=column).value = value
        except ValueError:  # a value openpyxl itself will not put in a cell
            continue
    written = io.BytesIO()
    book.save(written)
    return written.getvalue()


@examples(150)
@given(st.lists(CHANGE, min_size=1, max_size=4))
def test_any_cell_changed_is_read_or_refused_at_its_place(changes):
    try:
        data = read_xlsform(changed(changes))
    except DefinitionError as error:
        assert error.errors
        with FINNISH.test_request_context("/admin/questionnaires?lang=fi"):
            for problem in error.errors:
                assert problem.startswith(PLACES), problem
                translated = problem_text(problem)  # place and problem both in Finnish
                assert translated.startswith(("välilehti", "työkirja", "tiedosto")), problem
                assert translated.rpartition(": ")[2] != problem.rpartition(": ")[2], problem
        return
    assert validate_definition(data) == []
    Questionnaire.from_dict(data)
