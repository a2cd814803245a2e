"""Questionnaires as spreadsheets in the XLSForm convention (KoboToolbox, ODK), for
authors who are not developers: a `survey` sheet (type, name, label::fi …, hint::…,
required, appearance, constraint, default_from; `begin_group`/`end_group` rows are the
sections), a `choices` sheet (list_name, name, label::…) and a `settings` sheet
(form_id, version, form_title::…, intro::…, prefill_from_previous_round).

The service's types in XLSForm's words: `select_one LIST` (single choice),
`select_multiple LIST` (multiple choice), `text` (short; with appearance `multiline`,
long), `decimal` (a number) and `integer` (a whole number: `whole: true`). Limits are
constraints: `. >= 0 and . <= 100`, `string-length(.) <= 500`. A list that one item uses
and that is named after it is that item's own options; any other list is a scale
(`scales:` in YAML) that items share.

Errors name the sheet, row and column: the definition read from the workbook is
checked by `validation`, and each place it names is traced back to its cell.
"""

import re

from .sheets import Sheet, read_sheets
from .validation import REQUIRED_LANGUAGES as LANGUAGES
from .validation import DefinitionError, validate_definition
from .xlsform_write import CHOICE_COLUMNS, SETTINGS_COLUMNS, SURVEY_COLUMNS

# The columns an export writes are the ones read (a typo must not lose a text unseen).
KNOWN_COLUMNS = {"survey": SURVEY_COLUMNS, "choices": CHOICE_COLUMNS, "settings": SETTINGS_COLUMNS}
TRUE_WORDS = {"yes", "true", "1"}
FALSE_WORDS = {"", "no", "false", "0"}
BOUND_RE = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$")
LENGTH_RE = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")
GROUPS = {"begin_group": "begin", "begin group": "begin", "end_group": "end", "end group": "end"}
TYPES_HELP = "select_one LIST, select_multiple LIST, text, decimal, integer, begin_group, end_group"


def read_xlsform(raw: bytes) -> dict:
    """The definition a workbook holds, checked; DefinitionError naming every bad cell."""
    reader = _Reader(read_sheets(raw))
    data = reader.definition()
    if not data:  # no sheets to read a definition from
        raise DefinitionError(reader.errors)
    errors = list(reader.errors)
    told = [error.partition(": ")[0] for error in errors]  # one problem a cell is enough
    for error in validate_definition(data):
        located = reader.locate(error)
        place = located.partition(": ")[0]
        if not any(cell == place or cell.startswith(f"{place}, ") for cell in told):
            errors.append(located)
    if errors:
        raise DefinitionError(errors)
    return data


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


class _Reader:
    """Builds the definition row by row, remembering which cell each part came from."""

    def __init__(self, sheets: dict[str, Sheet]):
        self.sheets = sheets
        self.errors: list[str] = []
        self.places: dict[str, str] = {}  # a validation path -> the cell it came from
        self.lists: dict[str, list[dict]] = {}
        self.list_rows: dict[str, list[int]] = {}
        self.uses: dict[str, list[tuple[dict, str]]] = {}  # list name -> (item, path)

    def definition(self) -> dict:
        missing = [name for name in ("settings", "survey", "choices") if name not in self.sheets]
        if missing:
            self.errors.append(f"the workbook has no sheet named {' or '.join(missing)}")
            return {}
        self._check_columns()
        data = self._settings()
        self._lists()
        sections = self._sections()
        scales = self._share_lists()
        if scales:
            data["scales"] = scales
        data["sections"] = sections
        return data

    def _check_columns(self) -> None:
        for name, known in KNOWN_COLUMNS.items():
            sheet = self.sheets[name]
            for column in sheet.columns:
                prefix, texts, _language = column.partition("::")
                if column not in known and not (texts and f"{prefix}::fi" in known):
                    self.errors.append(f"{sheet.place(1, column)}: unknown column")

    def locate(self, error: str) -> str:
        """A validation error ("sections[0].items[2].text.sv: missing text") at its cell."""
        path, _sep, problem = error.partition(": ")
        while path not in self.places:
            shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
            if shorter == path:
                return error
            path = shorter
        return f"{self.places[path]}: {problem}"

    def _note(self, path: str, sheet: Sheet, row: int, columns: dict[str, str]) -> None:
        """Where the parts of `path` came from: {sub-path: column}."""
        self.places[path] = sheet.place(row)
        for sub, column in columns.items():
            self.places[f"{path}.{sub}"] = sheet.place(row, column)

    @staticmethod
    def _text_columns(name: str, prefix: str) -> dict[str, str]:
        columns = {name: f"{prefix}::fi"}
        columns.update({f"{name}.{lang}": f"{prefix}::{lang}" for lang in LANGUAGES})
        return columns

    def _texts(self, sheet: Sheet, row: int, values: dict, prefix: str) -> dict | None:
        for column, value in values.items():
            base, _sep, language = column.partition("::")
            if base == prefix and language not in LANGUAGES and value:
                self.errors.append(f"{sheet.place(row, column)}: unknown language {language!r}")
        texts = {lang: values.get(f"{prefix}::{lang}", "") for lang in LANGUAGES}
        return texts if any(texts.values()) else None

    def _flag(self, sheet: Sheet, row: int, values: dict, column: str) -> bool:
        word = values.get(column, "").lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            self.errors.append(f"{sheet.place(row, column)}: write yes or no, not {word!r}")
        return word in TRUE_WORDS

    def _settings(self) -> dict:
        sheet = self.sheets["settings"]
        if not sheet.rows:
            self.errors.append("settings sheet: row 2 names the questionnaire (form_id)")
            return {}
        row, values = sheet.rows[0]
        columns = {"key": "form_id", "version": "version"}
        columns["prefill_from_previous_round"] = "prefill_from_previous_round"
        columns |= self._text_columns("title", "form_title") | self._text_columns("intro", "intro")
        for sub, column in columns.items():
            self.places[sub] = sheet.place(row, column)
        self.places["(top)"] = sheet.place(row)
        version = values.get("version", "") or "1"  # publishing numbers it anyway
        if not version.isdigit():
            self.errors.append(f"{sheet.place(row, 'version')}: a whole number, or empty")
        number = int(version) if version.isdigit() else 1
        data: dict = {"key": values.get("form_id", ""), "version": number}
        data["title"] = self._texts(sheet, row, values, "form_title")
        if intro := self._texts(sheet, row, values, "intro"):
            data["intro"] = intro
        if values.get("prefill_from_previous_round"):
            prefill = self._flag(sheet, row, values, "prefill_from_previous_round")
            data["prefill_from_previous_round"] = prefill
        return data

    def _lists(self) -> None:
        sheet = self.sheets["choices"]
        for row, values in sheet.rows:
            name = values.get("list_name", "")
            if not name:
                self.errors.append(f"{sheet.place(row, 'list_name')}: the list's name is missing")
                continue
            option = {"value": values.get("name", "")}
            option["label"] = self._texts(sheet, row, values, "label")
            self.lists.setdefault(name, []).append(option)
            self.list_rows.setdefault(name, []).append(row)

    def _note_options(self, path: str, name: str) -> None:
        sheet = self.sheets["choices"]
        rows = self.list_rows[name]
        self.places[path] = sheet.place(rows[0], "list_name")
        for index, row in enumerate(rows):
            columns = {"value": "name"} | self._text_columns("label", "label")
            self._note(f"{path}[{index}]", sheet, row, columns)

    def _share_lists(self) -> dict[str, list[dict]]:
        """Each used list as its item's own options or as a shared scale."""
        scales = {}
        for name, options in self.lists.items():
            users = self.uses.get(name, [])
            if len(users) == 1 and users[0][0]["code"] == name:
                item, path = users[0]
                item["options"] = options
                self._note_options(f"{path}.options", name)
                continue
            scales[name] = options
            self._note_options(f"scales.{name}", name)
            for item, _path in users:
                item["scale"] = name
        return scales

    def _sections(self) -> list[dict]:
        sheet = self.sheets["survey"]
        self.places["sections"] = f"{sheet.name} sheet"
        sections: list[dict] = []
        group_row = None
        for row, values in sheet.rows:
            kind = GROUPS.get(values.get("type", "").lower())
            if kind == "begin":
                if group_row is not None:
                    where = sheet.place(row, "type")
                    self.errors.append(f"{where}: groups are sections and do not nest")
                group_row = row
                path = f"sections[{len(sections)}]"
                columns = {"code": "name", "items": "type"} | self._text_columns("title", "label")
                self._note(path, sheet, row, columns)
                title = self._texts(sheet, row, values, "label")
                sections.append({"code": values.get("name", ""), "title": title, "items": []})
            elif kind == "end":
                if group_row is None:
                    self.errors.append(f"{sheet.place(row, 'type')}: no group to end")
                group_row = None
            elif group_row is None:
                where = sheet.place(row, "type")
                self.errors.append(f"{where}: every question is in a group (begin_group above)")
            else:
                items = sections[-1]["items"]
                path = f"sections[{len(sections) - 1}].items[{len(items)}]"
                items.append(self._item(sheet, row, values, path))
        if group_row is not None:
            self.errors.append(f"{sheet.place(group_row, 'type')}: the group has no end_group")
        if not sections and not self.errors:
            self.errors.append("survey sheet: no questions (begin_group, questions, end_group)")
        return sections

    def _item(self, sheet: Sheet, row: int, values: dict, path: str) -> dict:
        columns = {"code": "name", "type": "type", "scale": "type", "options": "type"}
        columns |= {"required": "required", "default_from": "default_from"}
        columns |= {bound: "constraint" for bound in ("min", "max", "max_length")}
        columns |= self._text_columns("text", "label") | self._text_columns("help", "hint")
        self._note(path, sheet, row, columns)
        item: dict = {"code": values.get("name", ""), "type": self._type(sheet, row, values)}
        words = values.get("type", "").split()
        if item["type"] in ("single_choice", "multiple_choice") and len(words) == 2:
            self.uses.setdefault(words[1], []).append((item, path))
        item["text"] = self._texts(sheet, row, values, "label")
        if hint := self._texts(sheet, row, values, "hint"):
            item["help"] = hint
        if values.get("required"):
            item["required"] = self._flag(sheet, row, values, "required")
        item |= self._constraint(sheet, row, values.get("constraint", ""), item["type"])
        if values.get("default_from"):
            item["default_from"] = values["default_from"]
        if values.get("type", "").lower() == "integer":
            item["whole"] = True
        return item

    def _type(self, sheet: Sheet, row: int, values: dict) -> str:
        words = values.get("type", "").split()
        base = words[0].lower() if words else ""
        where = sheet.place(row, "type")
        if base in ("select_one", "select_multiple"):
            if len(words) != 2:
                self.errors.append(f"{where}: name the choice list, e.g. '{base} yes_no'")
            elif words[1] not in self.lists:
                self.errors.append(f"{where}: no list {words[1]!r} in the choices sheet")
            return "single_choice" if base == "select_one" else "multiple_choice"
        if words == [base] and base == "text":
            multiline = "multiline" in values.get("appearance", "").lower().split()
            return "long_text" if multiline else "short_text"
        if words == [base] and base in ("decimal", "integer"):
            return "number"  # `integer`: whole numbers only (_item adds "whole")
        self.errors.append(f"{where}: {' '.join(words)!r} is not one of {TYPES_HELP}")
        return ""

    def _constraint(self, sheet: Sheet, row: int, text: str, item_type: str) -> dict:
        limits: dict = {}
        for term in filter(None, (part.strip() for part in re.split(r"\band\b", text))):
            if match := BOUND_RE.match(term):
                limits["min" if match[1] == ">=" else "max"] = _number(match[2])
            elif match := LENGTH_RE.match(term):
                limits["max_length"] = int(match[1])
            else:
                where = sheet.place(row, "constraint")
                self.errors.append(
                    f"{where}: {term!r}: write '. >= N', '. <= N' or "
                    "'string-length(.) <= N', joined by 'and'"
                )
        return limits
