"""An exported questionnaire workbook as an author edits it."""

from openpyxl import load_workbook


class Workbook:
    """An exported workbook as an author edits it: cells by column name."""

    def __init__(self, path):
        self.path = path
        self.book = load_workbook(path)

    def rows(self, sheet):
        worksheet = self.book[sheet]
        header = [cell.value for cell in worksheet[1]]
        return worksheet, header

    def find(self, sheet, column, value) -> int:
        worksheet, header = self.rows(sheet)
        index = header.index(column)
        for row in worksheet.iter_rows(min_row=2):
            if row[index].value == value:
                return row[index].row
        raise LookupError(value)

    def set(self, sheet, row, column, value):
        worksheet, header = self.rows(sheet)
        worksheet.cell(row=row, column=header.index(column) + 1).value = value

    def insert(self, sheet, row, **values):
        worksheet, header = self.rows(sheet)
        worksheet.insert_rows(row)
        for column, value in values.items():
            worksheet.cell(
                row=row, column=header.index(column.replace("__", "::")) + 1, value=value
            )

    def save(self, path):
        self.book.save(path)
        return path


def add_new_item(workbook):
    """A yes/planned/no item k1_9 at the end of criterion 1."""
    end = workbook.find("survey", "type", "end_group")
    workbook.insert(
        "survey",
        end,
        type="select_one yes_planned_no",
        name="k1_9",
        label__fi="Yksiköllä on oma verkkosivu",
        label__sv="Enheten har en egen webbplats",
        label__en="The unit has a website of its own",
    )
