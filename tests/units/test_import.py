"""`flask units import PATH`: CSV (comma/semicolon, BOM or not) and XLSX, all or nothing."""

from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.models import Unit
from survey_app.models.types import utcnow

HEADER = "code,name,field,status,region,municipality,contact_name,contact_email,language"
ROW_A = "KEHY001,Kuopion kehy,Lastensuojelu,active,Itä-Suomi,Kuopio,Anna Virtanen,anna@kehy1.fi,fi"
ROW_B = "KEHY002,Vaasan kehy,Vanhusten palvelut,preparing,Pohjanmaa,Vaasa,Bo Ek,bo@kehy2.fi,sv"


def write(tmp_path, text, name="units.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def lines(*rows):
    return "\n".join(rows) + "\n"


def run_import(runner, path):
    return runner.invoke(args=["units", "import", str(path)])


def units(db):
    db.session.expire_all()
    return {unit.code: unit for unit in db.session.scalars(select(Unit))}


def unit_count(db):
    return db.session.scalar(select(func.count()).select_from(Unit))


def assert_refused(result, db, *fragments, before=0):
    """Exit 1, a clear message (not a traceback), every fragment named, nothing written."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "was not imported; nothing was changed" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert unit_count(db) == before


# --- formats ---------------------------------------------------------------------------


def test_comma_csv(runner, db, tmp_path):
    result = run_import(runner, write(tmp_path, lines(HEADER, ROW_A, ROW_B)))
    assert result.exit_code == 0, result.output
    assert "Imported 2 units" in result.output and "2 new" in result.output
    stored = units(db)
    assert set(stored) == {"KEHY001", "KEHY002"}
    a, b = stored["KEHY001"], stored["KEHY002"]
    assert (a.name, a.field, a.status, a.region, a.municipality) == (
        "Kuopion kehy",
        "Lastensuojelu",
        "active",
        "Itä-Suomi",
        "Kuopio",
    )
    assert (a.contact_name, a.contact_email, a.language) == ("Anna Virtanen", "anna@kehy1.fi", "fi")
    assert (b.status, b.language, b.contact_name) == ("preparing", "sv", "Bo Ek")
    assert a.deactivated_at is None


def test_semicolon_csv(runner, db, tmp_path):
    text = lines(HEADER.replace(",", ";"), ROW_A.replace(",", ";"), ROW_B.replace(",", ";"))
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    stored = units(db)
    assert set(stored) == {"KEHY001", "KEHY002"}
    assert stored["KEHY001"].region == "Itä-Suomi"
    assert stored["KEHY002"].contact_email == "bo@kehy2.fi"


def test_utf8_with_bom_and_windows_line_ends(runner, db, tmp_path):
    text = "\ufeff" + "\r\n".join([HEADER, ROW_A, ROW_B]) + "\r\n"
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    stored = units(db)
    # the BOM must not end up in the first column's name (or the code column is "missing")
    assert set(stored) == {"KEHY001", "KEHY002"}
    assert stored["KEHY001"].name == "Kuopion kehy"
    assert stored["KEHY002"].language == "sv"  # last column: no stray "\r"


def test_semicolon_csv_with_bom_as_excel_writes_it(runner, db, tmp_path):
    text = "\ufeff" + "\r\n".join([HEADER.replace(",", ";"), ROW_A.replace(",", ";")]) + "\r\n"
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    assert set(units(db)) == {"KEHY001"}


def test_quoted_fields_containing_the_delimiter(runner, db, tmp_path):
    comma = lines(
        HEADER,
        'KEHY001,"Kehy, Kuopio",Lastensuojelu,active,"Kanta-Häme, Pirkanmaa, Satakunta",'
        'Kuopio,"Virtanen, Anna",anna@kehy1.fi,fi',
        'KEHY002,"Sanoi ""moi""",Lastensuojelu,active,Itä-Suomi,Kuopio,,x@kehy2.fi,fi',
    )
    result = run_import(runner, write(tmp_path, comma))
    assert result.exit_code == 0, result.output
    stored = units(db)
    assert stored["KEHY001"].name == "Kehy, Kuopio"
    assert stored["KEHY001"].region == "Kanta-Häme, Pirkanmaa, Satakunta"
    assert stored["KEHY001"].contact_name == "Virtanen, Anna"
    assert stored["KEHY001"].contact_email == "anna@kehy1.fi"
    assert stored["KEHY002"].name == 'Sanoi "moi"'


def test_quoted_semicolons_in_semicolon_csv(runner, db, tmp_path):
    text = lines(
        HEADER.replace(",", ";"),
        'KEHY003;"Lapsi; perhe";Lastensuojelu;active;"Kanta-Häme, Pirkanmaa, Satakunta";'
        '"Kuopio; Siilinjärvi";A, B;c@kehy3.fi;fi',
    )
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    unit = units(db)["KEHY003"]
    assert unit.name == "Lapsi; perhe"
    assert unit.region == "Kanta-Häme, Pirkanmaa, Satakunta"
    assert unit.municipality == "Kuopio; Siilinjärvi"
    assert unit.contact_name == "A, B"  # a comma in a semicolon file is just text


def test_xlsx(runner, db, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(ROW_A.split(","))
    sheet.append(
        [
            "KEHY002",
            "Vaasan kehy",
            "Vanhusten palvelut",
            "valmisteleva",
            "Pohjanmaa",
            None,
            None,
            "bo@kehy2.fi",
            "sv",
        ]
    )
    sheet.append([None] * 9)  # an empty row is skipped
    sheet.append(
        [
            1003,
            "Numerokoodi",
            "Vammaispalvelut",
            "Varsinainen",
            "Lappi",
            "Rovaniemi",
            "Ulla",
            "ulla@kehy3.fi",
            None,
        ]
    )
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported 3 units" in result.output
    stored = units(db)
    assert set(stored) == {"KEHY001", "KEHY002", "1003"}
    assert stored["KEHY001"].region == "Itä-Suomi"
    assert stored["KEHY002"].status == "preparing"
    assert stored["KEHY002"].municipality == "" and stored["KEHY002"].contact_name == ""
    assert stored["1003"].status == "active"
    assert stored["1003"].language == "fi"  # empty language means Finnish


def test_xlsx_with_a_bad_row_names_its_row_number(runner, db, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(ROW_A.split(","))
    sheet.append([None] * 9)  # row 3 is empty, still counted
    sheet.append(["KEHY004", "Nimi", "Ala", "active", "Alue", "", "", "not-an-email", "fi"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    result = run_import(runner, path)
    assert_refused(result, db, "row 4:", "contact_email")
    assert "row 2" not in result.stderr


def test_csv_bytes_named_xlsx_is_a_clear_error(runner, db, tmp_path):
    path = write(tmp_path, lines(HEADER, ROW_A), name="roster.xlsx")
    assert_refused(run_import(runner, path), db, "not a readable XLSX")


# --- statuses and languages ------------------------------------------------------------


def test_finnish_statuses(runner, db, tmp_path):
    text = lines(
        HEADER,
        ROW_A.replace(",active,", ",varsinainen,"),
        ROW_B.replace(",preparing,", ",Valmisteleva,"),
    )
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    stored = units(db)
    assert stored["KEHY001"].status == "active"
    assert stored["KEHY002"].status == "preparing"


def test_unknown_status(runner, db, tmp_path):
    text = lines(HEADER, ROW_A, ROW_B.replace(",preparing,", ",lakkautettu,"))
    result = run_import(runner, write(tmp_path, text))
    assert_refused(result, db, "row 3:", "unknown status 'lakkautettu'")
    assert "row 2" not in result.stderr


def test_unknown_language(runner, db, tmp_path):
    text = lines(HEADER, ROW_A.replace(",fi", ",de"), ROW_B)
    result = run_import(runner, write(tmp_path, text))
    assert_refused(result, db, "row 2:", "unknown language 'de'")
    assert "row 3" not in result.stderr


# --- all or nothing ----------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_the_row(runner, db, tmp_path):
    rows = [ROW_A, ROW_B]
    rows += [
        f"KEHY1{n:02d},Yksikkö {n},Lastensuojelu,active,Lappi,,,u{n}@kehy.fi,fi" for n in range(10)
    ]
    rows.insert(5, "KEHY999,,Lastensuojelu,active,Lappi,,,bad@kehy.fi,fi")  # row 7: no name
    result = run_import(runner, write(tmp_path, lines(HEADER, *rows)))
    assert_refused(result, db, "row 7: name is empty")
    error_lines = [line for line in result.stderr.splitlines() if line.strip().startswith("row")]
    assert error_lines == ["  row 7: name is empty"]


def test_bad_file_leaves_an_existing_roster_untouched(runner, db, tmp_path):
    assert run_import(runner, write(tmp_path, lines(HEADER, ROW_A))).exit_code == 0
    renamed = ROW_A.replace("Kuopion kehy", "Uusi nimi")
    bad = lines(HEADER, renamed, ROW_B, "KEHY003,Nimi,Lastensuojelu,active,Lappi,,,nope,fi")
    result = run_import(runner, write(tmp_path, bad, name="second.csv"))
    assert_refused(result, db, "row 4:", before=1)
    assert units(db)["KEHY001"].name == "Kuopion kehy"  # the good row's update is not kept


def test_every_bad_row_is_named(runner, db, tmp_path):
    text = lines(
        HEADER,
        ROW_A,
        "KEHY010,Nimi,Lastensuojelu,aktiivinen,Lappi,,,ok@kehy.fi,fi",  # row 3
        ROW_B,
        "KEHY004,Nimi,Lastensuojelu,active,Lappi,,,ok@kehy.fi,ru",  # row 5
        "KEHY005,Nimi,Lastensuojelu,active,,,,bad@@kehy.fi,fi",  # row 6: two problems
    )
    result = run_import(runner, write(tmp_path, text))
    assert_refused(
        result,
        db,
        "row 3: unknown status 'aktiivinen'",
        "row 5: unknown language 'ru'",
        "row 6: region is empty",
        "invalid contact_email 'bad@@kehy.fi'",
    )
    assert "row 2" not in result.stderr and "row 4" not in result.stderr


def test_duplicate_codes(runner, db, tmp_path):
    text = lines(HEADER, ROW_A, ROW_B, ROW_A.replace("Kuopion kehy", "Toinen"))
    result = run_import(runner, write(tmp_path, text))
    assert_refused(result, db, "row 4:", "duplicate code 'KEHY001'", "first on row 2")


@pytest.mark.parametrize(
    "email", ["not-an-email", "anna@", "@kehy.fi", "anna kehy@kehy.fi", "anna@kehy"]
)
def test_bad_email(runner, db, tmp_path, email):
    text = lines(HEADER, ROW_B, ROW_A.replace("anna@kehy1.fi", email))
    result = run_import(runner, write(tmp_path, text))
    assert_refused(result, db, "row 3:", "contact_email")


def test_empty_email_is_named(runner, db, tmp_path):
    text = lines(HEADER, ROW_A.replace("anna@kehy1.fi", ""))
    assert_refused(run_import(runner, write(tmp_path, text)), db, "row 2: contact_email is empty")


def test_too_many_cells_is_a_bad_row(runner, db, tmp_path):
    text = lines(HEADER, ROW_A, ROW_B + ",extra")
    assert_refused(run_import(runner, write(tmp_path, text)), db, "row 3:", "10 cells")


def test_missing_required_column(runner, db, tmp_path):
    header = HEADER.replace(",contact_email", "")
    rows = [ROW_A.replace(",anna@kehy1.fi", "")]
    result = run_import(runner, write(tmp_path, lines(header, *rows)))
    assert_refused(result, db, "row 1:", "missing column(s): contact_email", "expected columns")


def test_unknown_column_is_named(runner, db, tmp_path):
    result = run_import(runner, write(tmp_path, lines(HEADER + ",phone", ROW_A + ",123")))
    assert_refused(result, db, "row 1:", "unknown column(s): phone")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b"   \r\n"])
def test_empty_file(runner, db, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert_refused(run_import(runner, path), db, "empty")


def test_header_only_file(runner, db, tmp_path):
    result = run_import(runner, write(tmp_path, lines(HEADER)))
    assert_refused(result, db, "no units")


def test_empty_xlsx(runner, db, tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    assert_refused(run_import(runner, path), db, "empty")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_non_utf8_file_is_a_clear_error(runner, db, tmp_path, encoding):
    path = write(tmp_path, lines(HEADER, ROW_A, ROW_B), encoding=encoding)
    assert path.read_bytes() != lines(HEADER, ROW_A, ROW_B).encode("utf-8")
    result = run_import(runner, path)
    assert_refused(result, db, "not UTF-8")


def test_missing_file_is_a_usage_error(runner, db, tmp_path):
    result = run_import(runner, tmp_path / "nothing.csv")
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert unit_count(db) == 0


# --- upsert ------------------------------------------------------------------------------


def test_second_import_upserts_by_code(runner, db, tmp_path):
    row_c = "KEHY003,Oulun kehy,Päihdepalvelut,active,Pohjois-Suomi,Oulu,Olli,olli@kehy3.fi,fi"
    first = run_import(runner, write(tmp_path, lines(HEADER, ROW_A, ROW_B, row_c)))
    assert first.exit_code == 0, first.output
    before = units(db)
    ids = {code: unit.id for code, unit in before.items()}
    created = {code: unit.created_at for code, unit in before.items()}

    changed_b = ROW_B.replace("preparing", "varsinainen").replace("bo@kehy2.fi", "new@kehy2.fi")
    row_d = "KEHY004,Turun kehy,Lastensuojelu,active,Varsinais-Suomi,Turku,Tea,tea@kehy4.fi,fi"
    second = run_import(
        runner, write(tmp_path, lines(HEADER, ROW_A, changed_b, row_c, row_d), name="second.csv")
    )
    assert second.exit_code == 0, second.output
    assert "Imported 4 units" in second.output
    assert "1 new, 1 updated, 2 unchanged" in second.output

    after = units(db)
    assert set(after) == {"KEHY001", "KEHY002", "KEHY003", "KEHY004"}
    for code in ("KEHY001", "KEHY002", "KEHY003"):
        assert after[code].id == ids[code]  # updated in place, not re-created
        assert after[code].created_at == created[code]
    assert after["KEHY002"].status == "active"
    assert after["KEHY002"].contact_email == "new@kehy2.fi"
    assert after["KEHY001"].name == "Kuopion kehy"


def test_same_file_twice_changes_nothing(runner, db, tmp_path):
    path = write(tmp_path, lines(HEADER, ROW_A, ROW_B))
    assert run_import(runner, path).exit_code == 0
    updated = {code: unit.updated_at for code, unit in units(db).items()}
    again = run_import(runner, path)
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 2 unchanged" in again.output
    assert {code: unit.updated_at for code, unit in units(db).items()} == updated


def test_same_data_in_another_format_is_unchanged(runner, db, tmp_path):
    """Finnish status words, a BOM and semicolons describe the same units: nothing changes."""
    assert run_import(runner, write(tmp_path, lines(HEADER, ROW_A, ROW_B))).exit_code == 0
    text = "\ufeff" + lines(
        HEADER.replace(",", ";"),
        ROW_A.replace(",active,", ",varsinainen,").replace(",", ";"),
        ROW_B.replace(",preparing,", ",valmisteleva,").replace(",", ";"),
    )
    again = run_import(runner, write(tmp_path, text, name="again.csv"))
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 2 unchanged" in again.output


def test_import_reactivates_only_the_deactivated_units_it_lists(runner, db, tmp_path):
    row_c = "KEHY003,Oulun kehy,Päihdepalvelut,active,Pohjois-Suomi,Oulu,Olli,olli@kehy3.fi,fi"
    assert run_import(runner, write(tmp_path, lines(HEADER, ROW_A, ROW_B, row_c))).exit_code == 0
    gone = utcnow() - timedelta(days=3)
    stored = units(db)
    stored["KEHY002"].deactivated_at = gone
    stored["KEHY003"].deactivated_at = gone
    db.session.commit()

    # KEHY002 is listed again, unchanged; KEHY003 is not in the file at all.
    result = run_import(runner, write(tmp_path, lines(HEADER, ROW_A, ROW_B), name="b.csv"))
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 1 unchanged" in result.output
    after = units(db)
    assert after["KEHY001"].deactivated_at is None
    assert after["KEHY002"].deactivated_at is None  # listed in the roster: back in
    assert after["KEHY003"].deactivated_at == gone  # not listed: stays out
    assert after["KEHY003"].name == "Oulun kehy"


def test_refused_import_does_not_reactivate(runner, db, tmp_path):
    assert run_import(runner, write(tmp_path, lines(HEADER, ROW_A, ROW_B))).exit_code == 0
    gone = utcnow() - timedelta(days=1)
    units(db)["KEHY002"].deactivated_at = gone
    db.session.commit()
    bad = lines(HEADER, ROW_A, ROW_B, "KEHY009,Nimi,Lastensuojelu,active,Lappi,,,x@kehy.fi,xx")
    result = run_import(runner, write(tmp_path, bad, name="bad.csv"))
    assert_refused(result, db, "row 4:", before=2)
    assert units(db)["KEHY002"].deactivated_at == gone


def test_codes_and_values_are_trimmed(runner, db, tmp_path):
    text = lines(
        " code , name ,field,STATUS,region,municipality,contact_name,contact_email,language",
        " KEHY001 , Kuopion kehy ,Lastensuojelu, Active ,Itä-Suomi,Kuopio,, anna@kehy1.fi ,FI",
    )
    result = run_import(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    unit = units(db)["KEHY001"]
    assert (unit.name, unit.status, unit.contact_email, unit.language) == (
        "Kuopion kehy",
        "active",
        "anna@kehy1.fi",
        "fi",
    )


def test_too_long_values_are_named_not_a_database_error(runner, db, tmp_path):
    text = lines(
        HEADER,
        ROW_A.replace("Kuopion kehy", "n" * 301),
        ROW_B.replace("KEHY002", "K" * 65),
    )
    result = run_import(runner, write(tmp_path, text))
    assert_refused(result, db, "row 2: name is longer than 300", "row 3: code", "at most 32")


def test_blank_first_line_is_named_as_row_1_not_called_empty(runner, db, tmp_path):
    result = run_import(runner, write(tmp_path, "\n" + lines(HEADER, ROW_A)))
    assert_refused(result, db, "row 1:", "missing column(s): code")
    assert "empty" not in result.stderr


# --- codes are safe identifiers ------------------------------------------------------

UNSAFE_CODES = ["x/../KEHY002", "A/B", "..", ".", "K" * 33, "koodi ä", "a b", "x\\y", "%2e%2e"]


@pytest.mark.parametrize("code", UNSAFE_CODES)
def test_a_code_that_is_not_a_safe_identifier_is_refused_with_its_row(runner, db, tmp_path, code):
    """A code is part of addresses such as /admin/units/<code>/edit: one with a slash or
    a dot segment made a browser act on another unit's row."""
    row = ROW_B.replace("KEHY002", code) if "," not in code else ROW_B
    result = run_import(runner, write(tmp_path, lines(HEADER, ROW_A, row)))
    assert_refused(result, db, "row 3:", "use only A-Z, a-z, 0-9")


@pytest.mark.parametrize("code", ["K.E_H-Y1", "K" * 32, "a", "1.0", "..x"])
def test_safe_codes_are_taken(runner, db, tmp_path, code):
    result = run_import(runner, write(tmp_path, lines(HEADER, ROW_B.replace("KEHY002", code))))
    assert result.exit_code == 0, result.output
    assert list(units(db)) == [code]


# --- a workbook is bounded before it is read ---------------------------------------------


def crafted_xlsx(tmp_path, row_xml: str, dimension: str | None = None):
    """A real workbook whose first sheet gets `row_xml` as row 2 (and the given declared
    dimension, or none): what a hostile upload looks like, not what Excel writes."""
    import io
    import re
    import zipfile

    book = Workbook()
    book.active.append(HEADER.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"<dimension[^>]*/>", dimension or "", data.decode())
                data = text.replace("</sheetData>", row_xml + "</sheetData>").encode()
            target.writestr(info, data)
    return path


def test_a_row_of_900000_cells_is_refused_before_it_is_read(runner, db, tmp_path):
    """About 50 kB on the wire and 13 MB unpacked (under the unpacked limit): its cells
    are counted from the sheet's tags, not parsed one by one."""
    path = crafted_xlsx(tmp_path, '<row r="2">' + "<c><v>1</v></c>" * 900_000 + "</row>")
    assert path.stat().st_size < 100_000
    result = run_import(runner, path)
    assert_refused(result, db, "the sheet has rows of more than 100 cells")


def test_a_declared_dimension_wider_than_a_roster_is_refused(runner, db, tmp_path):
    path = crafted_xlsx(tmp_path, "", dimension='<dimension ref="A1:XFD2"/>')
    assert_refused(run_import(runner, path), db, "the sheet has rows of more than 100 cells")


def test_a_declared_million_rows_is_refused(runner, db, tmp_path):
    path = crafted_xlsx(tmp_path, "", dimension='<dimension ref="A1:I1048576"/>')
    assert_refused(run_import(runner, path), db, "more than 100000 rows")


def test_a_normal_workbook_with_spare_columns_is_read(runner, db, tmp_path):
    row = ROW_A.split(",") + [""] * 40
    book = Workbook()
    book.active.append(HEADER.split(",") + [""] * 40)
    book.active.append(row)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    assert run_import(runner, path).exit_code == 0
    assert list(units(db)) == ["KEHY001"]
