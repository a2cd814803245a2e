"""The roster importer with any file: `flask units import PATH` with generated CSV text,
arbitrary bytes and XLSX workbooks built from generated cells exits 0 or 1, never with
a traceback, and a refused file changes nothing; the browser's upload (and the
confirmation of its preview) never answers 500."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import delete, select

from survey_app.models import Unit
from survey_app.models.types import utcnow
from survey_app.units.importer import COLUMNS, LANGUAGE_ALIASES
from tests.bad_input.strategies import SAFE_CODE, TYPED, examples, mostly, nasty_text
from tests.helpers import CSRF_RE, create, ended_cleanly, login
from tests.units.helpers import TOKEN_RE, upload

# The roster every example starts from: one unit deactivated, so that a file may
# reactivate it.
SEED = [
    ("A1", "Kuopion kehy", "Lastensuojelu", "active", "Itä-Suomi", "a1@kehy.fi"),
    ("B-2", "Vaasan kehy", "Vanhusten palvelut", "preparing", "Pohjanmaa", "b2@kehy.fi"),
    ("c.3", "Lapin kehy", "Päihdepalvelut", "active", "Lappi", "c3@kehy.fi"),
]
GOOD = {
    "code": st.sampled_from([code for code, *_rest in SEED]) | SAFE_CODE,
    "name": st.text(TYPED, min_size=1, max_size=40),
    "field": st.sampled_from(["Lastensuojelu", "Barnskydd", "substance_abuse", " päihdepalvelut "]),
    "status": st.sampled_from(
        ["active", "preparing", "varsinainen", "förberedande", "ACTIVE", " Varsinainen "]
    ),
    "region": st.sampled_from(["Itä-Suomi", "Pohjanmaa", "Lappi", "Lappland", "east"]),
    "municipality": st.text(TYPED, max_size=30),
    "contact_name": st.text(TYPED, max_size=30),
    "contact_email": st.sampled_from(
        ["a1@kehy.fi", "uusi@kehy.fi", " Iso@KEHY.fi ", "ä@esimerkki.fi", "x@kehy.fi"]
    ),
    "language": st.sampled_from([*LANGUAGE_ALIASES, "FI", "de"]),
}


def reset_roster(db):
    db.session.rollback()
    db.session.execute(delete(Unit))
    for code, name, field, status, region, email in SEED:
        db.session.add(
            Unit(
                code=code,
                name=name,
                field=field,
                status=status,
                region=region,
                contact_email=email,
                deactivated_at=utcnow() if code == "c.3" else None,
            )
        )
    db.session.commit()
    return roster_now(db)


def roster_now(db):
    db.session.rollback()
    db.session.expire_all()
    return sorted(
        (unit.code, *(getattr(unit, name) for name in COLUMNS[1:]), unit.deactivated_at)
        for unit in db.session.scalars(select(Unit))
    )


# --- what a roster file may hold -----------------------------------------------------------


@st.composite
def headers(draw, damaged: bool) -> list[str]:
    """The columns in some order; damaged: near misses and junk."""
    names = list(draw(st.permutations(COLUMNS)))
    if damaged and draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(COLUMNS) | nasty_text(12), max_size=12))
    if damaged and draw(st.booleans()):
        names = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in names]
    return names


@st.composite
def tables(draw, damaged: bool, cell=None) -> list[list]:
    """A header row and rows of values a roster has; damaged: some rows with anything
    (`cell`, default: any text) in some of their cells, or with too few or many cells."""
    header = draw(headers(damaged))
    bad = nasty_text() if cell is None else cell
    rows = [header]
    for _number in range(draw(st.integers(0, 5))):
        clean = not damaged or draw(st.booleans())
        row = []
        for name in header:
            good = GOOD.get(name.strip().lower(), st.text(TYPED, max_size=10))
            row.append(draw(good if clean else mostly(good, bad, 2)))
        if not clean and draw(st.booleans()):
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(nasty_text(), max_size=2))
        rows.append(row)
    return rows


@st.composite
def csv_files(draw) -> bytes:
    """CSV as a spreadsheet writes it (quoted, comma or semicolon, BOM or not, any line
    ending); damaged: also text joined without quoting, other encodings."""
    damaged = draw(st.booleans())
    rows = draw(tables(damaged))
    delimiter = draw(st.sampled_from([",", ";"]))
    if not damaged or draw(st.booleans()):
        out = io.StringIO()
        ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        csv.writer(out, delimiter=delimiter, lineterminator=ending).writerows(rows)
        text = out.getvalue()
    else:
        text = "\n".join(delimiter.join(row) for row in rows)
    encodings = ["utf-8", "utf-8-sig", *(["utf-16", "latin-1"] if damaged else [])]
    return text.encode(draw(st.sampled_from(encodings)), errors="replace")


def xlsx_cell():
    """What a workbook's cell may hold (openpyxl refuses a few control characters)."""
    return st.one_of(
        nasty_text().map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
        st.none(),
        st.booleans(),
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=False, allow_infinity=False),
        st.dates(min_value=date(1900, 3, 1)),
        st.datetimes(min_value=datetime(1900, 3, 1)),
        st.times(),
    )


@st.composite
def xlsx_files(draw) -> bytes:
    """A workbook from generated cells: the roster on its first sheet, maybe beside
    another; damaged: also below an empty row, or the sheet replaced by an empty one."""
    damaged = draw(st.booleans())
    workbook = Workbook()
    sheet = workbook.active
    if damaged and draw(st.booleans()):
        sheet.append([])
    for row in draw(tables(damaged, cell=xlsx_cell())):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    if draw(st.booleans()):
        workbook.create_sheet("muut").append(["code", "name"])
    if damaged and draw(st.booleans()):
        workbook.remove(workbook.active)
        workbook.create_sheet("tyhjä")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


NAME_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00")  # zipfile cuts at NUL


@st.composite
def broken_zips(draw) -> bytes:
    """A zip that is not quite a workbook: members with generated names and bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        names = ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]
        for name in draw(
            st.lists(
                st.sampled_from(names) | st.text(NAME_CHARACTER, min_size=1, max_size=20),
                max_size=4,
                unique=True,
            )
        ):
            archive.writestr(name, draw(st.binary(max_size=200)))
    return out.getvalue()


# (file name, bytes): the suffix picks the reader, so any suffix with any content.
ROSTER_FILES = mostly(
    st.one_of(
        st.tuples(st.sampled_from(["roster.csv", "ROSTER.CSV", "roster.txt"]), csv_files()),
        st.tuples(st.sampled_from(["roster.xlsx", "roster.XLSM"]), xlsx_files()),
    ),
    st.one_of(
        st.tuples(st.sampled_from(["roster.csv", "roster.xlsx"]), st.binary(max_size=300)),
        st.tuples(st.just("roster.csv"), st.text(max_size=300).map(str.encode)),
        st.tuples(st.sampled_from(["roster.xlsx", "roster.csv"]), broken_zips()),
    ),
    3,
)


# --- the command line --------------------------------------------------------------------


HEADER = ",".join(COLUMNS)
GOOD_ROW = "A1,Kuopion kehy,Lastensuojelu,active,Itä-Suomi,Kuopio,Anna,a1@kehy.fi,fi"
# Seen once, run every time: a good file, and files the importer must refuse whole.
EXPLICIT = [
    ("roster.csv", f"{HEADER}\n{GOOD_ROW}\nD4,Uusi,Päihdepalvelut,active,Lappi,,,d4@kehy.fi,sv\n"),
    ("roster.csv", f"{HEADER}\n{GOOD_ROW.replace('Anna', 'Aino')}\nD4,Uusi,x,bad,y,,,d4,de\n"),
    ("roster.csv", f"{HEADER}\n{GOOD_ROW}\n".encode("latin-1")),
    ("roster.csv", f"{HEADER}\n{GOOD_ROW}\nE5,\x00\x1b,\u2028,active,\x85,,,e@e.fi,fi"),
    ("roster.csv", f'{HEADER}\n"A1,unclosed\n'),
    ("roster.xlsx", b"PK\x03\x04 not a workbook"),
    ("roster.xlsx", f"{HEADER}\n{GOOD_ROW}\n"),
    (
        "roster.xlsx",
        [COLUMNS, GOOD_ROW.split(","), ["D4", 3.5, True, "=1+1", datetime(2027, 1, 1)]],
    ),
]


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def explicit_files(test):
    for name, content in reversed(EXPLICIT):
        if isinstance(content, list):
            content = workbook(content)
        data = content if isinstance(content, bytes) else content.encode()
        test = example(file=(name, data))(test)
    return test


@examples(100)
@given(file=ROSTER_FILES)
@explicit_files
def test_units_import_exits_0_or_1_and_a_refused_file_changes_nothing(runner, db, tmp_path, file):
    name, data = file
    before = reset_roster(db)
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["units", "import", str(path)])
    event(f"exit {result.exit_code}")
    ended_cleanly(result)
    after = roster_now(db)
    if result.exit_code == 1:
        assert "nothing was changed" in result.output
        assert after == before
    else:
        assert "Imported" in result.output
        # Units the file leaves out are left as they are.
        assert {unit[0] for unit in before} <= {unit[0] for unit in after}


# --- the browser's upload ------------------------------------------------------------------


@pytest.fixture
def national(runner, client):
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    return client


@examples(80)
@given(file=ROSTER_FILES)
@explicit_files
def test_the_upload_and_its_confirmation_never_answer_500(national, db, file):
    name, data = file
    before = reset_roster(db)
    preview = upload(national, data, name)
    event(f"upload {preview.status_code}")
    assert preview.status_code < 500, preview.get_data(as_text=True)[:2000]
    html = preview.get_data(as_text=True)
    assert "Traceback" not in html
    assert roster_now(db) == before  # refused, or a preview: nothing written yet
    token = TOKEN_RE.search(html)
    if token is None:
        return
    confirmed = national.post(
        "/admin/units/upload/confirm",
        data={"csrf_token": CSRF_RE.search(html).group(1), "preview": token[1]},
    )
    event(f"confirm {confirmed.status_code}")
    assert confirmed.status_code < 500
    assert "Traceback" not in confirmed.get_data(as_text=True)
