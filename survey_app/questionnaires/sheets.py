"""A workbook's sheets as rows of text by column name, read safely: a broken file, a
zip bomb or a sheet of a million rows is a DefinitionError, never a crash."""

import io
import zipfile

from .validation import DefinitionError

# A questionnaire is a few hundred rows; a bigger file is not one (nor a zip bomb).
MAX_ROWS = 5_000
MAX_UNPACKED_BYTES = 20_000_000
# Columns of texts a unit reads: kept as written (the others lose their spaces).
TEXT_COLUMNS = ("label::", "hint::", "form_title::", "intro::")


class Sheet:
    """One sheet's column names (its first row) and its non-empty rows as
    {column: text}, each with its row number."""

    def __init__(self, name: str, columns: list[str], rows: list[tuple[int, dict[str, str]]]):
        self.name = name
        self.columns = columns
        self.rows = rows

    def place(self, row: int, column: str | None = None) -> str:
        return f"{self.name} sheet, row {row}" + (f", column {column}" if column else "")


def read_sheets(raw: bytes) -> dict[str, Sheet]:
    from openpyxl import load_workbook  # imported when used: the command line starts fast

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise DefinitionError(["the workbook is too large for a questionnaire"])
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except DefinitionError:
        raise
    except Exception as error:  # zipfile and openpyxl raise many kinds for a broken file
        raise DefinitionError([f"not an XLSX workbook ({error})"]) from None
    try:
        return {sheet.title.strip().lower(): _sheet(sheet) for sheet in workbook.worksheets}
    except DefinitionError:
        raise
    except Exception as error:  # a workbook that opens but breaks while being read
        raise DefinitionError([f"not an XLSX workbook ({error})"]) from None
    finally:
        workbook.close()


def _sheet(worksheet) -> Sheet:
    records = worksheet.iter_rows(values_only=True)
    header = [_text(cell).strip().lower() for cell in next(records, ())]
    rows = []
    for number, record in enumerate(records, start=2):
        if number > MAX_ROWS:
            raise DefinitionError([f"{worksheet.title} sheet: more than {MAX_ROWS} rows"])
        values = {
            column: _text(cell) if column.startswith(TEXT_COLUMNS) else _text(cell).strip()
            for column, cell in zip(header, record, strict=False)
            if column
        }
        if any(value.strip() for value in values.values()):
            rows.append((number, values))
    name = worksheet.title.strip().lower()
    return Sheet(name, [column for column in header if column], rows)


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
