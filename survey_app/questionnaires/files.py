"""A questionnaire definition from an author's file, and a stored version as one:
YAML (as the shipped definitions) or an XLSForm workbook (`xlsform_read`)."""

from pathlib import PurePath

import yaml

from .validation import DefinitionError, load_yaml, validate_definition
from .xlsform_read import read_xlsform
from .xlsform_write import write_xlsform

FORMATS = ("xlsx", "yaml")
SUFFIXES = (".xlsx", ".yaml", ".yml")
# A definition is tens of kilobytes; a spreadsheet of one, a few hundred.
MAX_FILE_BYTES = 5_000_000


def definition_from_file(name: str, raw: bytes) -> dict:
    """The checked definition in an uploaded or named file; DefinitionError naming
    every problem with its place (line and column, or sheet, row and column)."""
    suffix = PurePath(name).suffix.lower()
    if len(raw) > MAX_FILE_BYTES:
        raise DefinitionError([f"{name}: larger than {MAX_FILE_BYTES // 1_000_000} MB"])
    if suffix == ".xlsx":
        return read_xlsform(raw)
    if suffix not in SUFFIXES:
        raise DefinitionError([f"{name}: give a .xlsx or .yaml file"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([f"{name}: the file is not UTF-8 text"]) from None
    data = load_yaml(text, source=name)
    errors = validate_definition(data)
    if errors:
        raise DefinitionError([f"{name}: {error}" for error in errors])
    return data


def definition_as_file(data: dict, file_format: str) -> bytes:
    if file_format == "xlsx":
        return write_xlsform(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return text.encode("utf-8")
