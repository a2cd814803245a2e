"""A stored questionnaire version as an XLSForm workbook (see `xlsform_read`): an author
starts from the current version, changes it and publishes the next one."""

import io
import re

from .validation import REQUIRED_LANGUAGES as LANGUAGES

# What openpyxl refuses in a cell (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE, without
# importing openpyxl before it is used).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

SURVEY_COLUMNS = (
    ["type", "name"]
    + [f"label::{lang}" for lang in LANGUAGES]
    + [f"hint::{lang}" for lang in LANGUAGES]
    + ["required", "appearance", "constraint", "default_from"]
)
CHOICE_COLUMNS = ["list_name", "name"] + [f"label::{lang}" for lang in LANGUAGES]
SETTINGS_COLUMNS = (
    ["form_id", "version"]
    + [f"form_title::{lang}" for lang in LANGUAGES]
    + [f"intro::{lang}" for lang in LANGUAGES]
    + ["prefill_from_previous_round"]
)
SELECTS = {"single_choice": "select_one", "multiple_choice": "select_multiple"}
PLAIN_TYPES = {"short_text": "text", "long_text": "text", "number": "decimal"}


def write_xlsform(data: dict) -> bytes:
    from openpyxl import Workbook  # imported when used: the command line starts fast

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    choices = workbook.create_sheet("choices")
    settings = workbook.create_sheet("settings")
    _append(survey, SURVEY_COLUMNS)
    _append(choices, CHOICE_COLUMNS)
    _append(settings, SETTINGS_COLUMNS)
    _append(settings, _settings_row(data))
    for name, options in (data.get("scales") or {}).items():
        _append_options(choices, name, options)
    for section in data["sections"]:
        _append(survey, ["begin_group", section["code"], *_texts(section["title"])])
        for item in section["items"]:
            list_name = _own_list_name(item, data)
            if "options" in item:
                _append_options(choices, list_name, item["options"])
            _append(survey, _item_row(item, list_name))
        _append(survey, ["end_group"])
    for sheet in (survey, choices, settings):
        sheet.freeze_panes = "A2"
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def _append(sheet, values: list) -> None:
    """A row of values, each as it is: a text that starts with "=" stays a text, not a
    formula a spreadsheet would run; characters no workbook can hold are left out."""
    sheet.append(
        [
            ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
            for value in values
        ]
    )
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _texts(texts: dict | None) -> list[str]:
    return [(texts or {}).get(lang, "") for lang in LANGUAGES]


def _settings_row(data: dict) -> list:
    prefill = "yes" if data.get("prefill_from_previous_round") else ""
    return [data["key"], data["version"], *_texts(data["title"]), *_texts(data.get("intro"))] + [
        prefill
    ]


def _own_list_name(item: dict, data: dict) -> str:
    """An item's own options are a list named after it (unless a scale has that name)."""
    if "scale" in item:
        return item["scale"]
    taken = data.get("scales") or {}
    return item["code"] if item["code"] not in taken else f"{item['code']}_options"


def _append_options(sheet, name: str, options: list[dict]) -> None:
    for option in options:
        _append(sheet, [name, option["value"], *_texts(option["label"])])


def _item_row(item: dict, list_name: str) -> list:
    if item["type"] in SELECTS:
        kind = f"{SELECTS[item['type']]} {list_name}"
    elif item.get("whole"):
        kind = "integer"
    else:
        kind = PLAIN_TYPES[item["type"]]
    terms = []
    if "min" in item:
        terms.append(f". >= {item['min']}")
    if "max" in item:
        terms.append(f". <= {item['max']}")
    if "max_length" in item:
        terms.append(f"string-length(.) <= {item['max_length']}")
    return [
        kind,
        item["code"],
        *_texts(item["text"]),
        *_texts(item.get("help")),
        "yes" if item.get("required") else "",
        "multiline" if item["type"] == "long_text" else "",
        " and ".join(terms),
        item.get("default_from", ""),
    ]
