"""Checks a questionnaire definition and names every error with its place."""

import math
import re
from typing import Any

import yaml

from ..models.definition import DEFAULT_MAX_LENGTH, ITEM_TYPES, TEXT_TYPES

REQUIRED_LANGUAGES = ("fi", "sv", "en")
# Keys and item codes are stored in columns of 64 characters, versions in integers.
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}\Z")
KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}\Z")
MAX_VERSION = 2**31 - 1

TOP_KEYS = {"key", "version", "title", "intro", "scales", "sections", "prefill_from_previous_round"}
SECTION_KEYS = {"code", "title", "items"}
OPTION_KEYS = {"value", "label"}
ITEM_KEYS = {
    "code",
    "type",
    "text",
    "help",
    "required",
    "options",
    "scale",
    "max_length",
    "min",
    "max",
    "default_from",
    "whole",
}
# Unit attributes a text item may start from when nothing earlier was answered.
DEFAULT_SOURCES = ("unit.name", "unit.municipality", "unit.contact_name", "unit.contact_email")


class DefinitionError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a value its constructors cannot build (a date
    such as 2001-02-30, `!!int x`, `!!float ""`, `!!timestamp x`) is a YAML error at
    its place, not a ValueError, IndexError or AttributeError from inside PyYAML."""

    def compose_node(self, parent, index):
        """No aliases (*name): a few hundred bytes of nested ones expand to gigabytes."""
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                problem="aliases (*name) are not allowed", problem_mark=self.peek_event().start_mark
            )
        return super().compose_node(parent, index)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # PyYAML's constructors raise many kinds for a bad scalar
            kind = str(node.tag).rsplit(":", 1)[-1]
            detail = f" ({exc})" if type(exc) is ValueError else ""
            raise yaml.constructor.ConstructorError(
                problem=f"not a valid {kind} value{detail}", problem_mark=node.start_mark
            ) from None


def load_yaml(text: str, source: str = "<definition>") -> dict:
    """Parse YAML text, turning syntax errors into a DefinitionError with line numbers."""
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 (a SafeLoader)
    except RecursionError:
        raise DefinitionError([f"{source}: YAML syntax error: nested too deeply"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        # The parser often notices a mistake a line later (an unclosed bracket): name the
        # line where the construct it was reading began too.
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start and mark and start.line != mark.line:
            problem += f" ({context} at line {start.line + 1})"
        raise DefinitionError([f"{where}: YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        raise DefinitionError([f"{source}: the definition must be a mapping"])
    return data


def validate_definition(data: Any) -> list[str]:
    """Return a list of "place: problem" strings; empty when the definition is valid."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["(top): the definition must be a mapping"]
    _unknown_keys(data, TOP_KEYS, "(top)", errors)
    if not isinstance(data.get("key"), str) or not KEY_RE.match(data.get("key") or ""):
        errors.append("key: required, lowercase letters, digits, '-' or '_' (at most 64)")
    if not isinstance(data.get("prefill_from_previous_round", False), bool):
        errors.append("prefill_from_previous_round: must be true or false")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        errors.append(f"version: required, a whole number from 1 to {MAX_VERSION}")
    _texts(data.get("title"), "title", errors, required=True)
    if "intro" in data:
        _texts(data.get("intro"), "intro", errors, required=True)
    scales = data.get("scales") or {}
    if not isinstance(scales, dict):
        errors.append("scales: must be a mapping of scale name to options")
        scales = {}
    for name, options in scales.items():
        if not isinstance(name, str) or not CODE_RE.match(name):
            errors.append(f"scales.{name}: a scale's name is lowercase letters, digits and '_'")
        _options(options, f"scales.{name}", errors)

    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append("sections: required, a non-empty list")
        return errors
    section_codes: set[str] = set()
    item_codes: set[str] = set()
    for s_index, section in enumerate(sections):
        place = f"sections[{s_index}]"
        if not isinstance(section, dict):
            errors.append(f"{place}: must be a mapping")
            continue
        _unknown_keys(section, SECTION_KEYS, place, errors)
        code = section.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            errors.append(f"{place}.code: required, lowercase letters, digits and '_' (at most 64)")
        elif code in section_codes:
            errors.append(f"{place}.code: duplicate section code {code!r}")
        else:
            section_codes.add(code)
        _texts(section.get("title"), f"{place}.title", errors, required=True)
        items = section.get("items")
        if not isinstance(items, list) or not items:
            errors.append(f"{place}.items: required, a non-empty list")
            continue
        for i_index, item in enumerate(items):
            _item(item, f"{place}.items[{i_index}]", scales, item_codes, errors)
    return errors


def _item(item: Any, place: str, scales: dict, seen: set[str], errors: list[str]) -> None:
    if not isinstance(item, dict):
        errors.append(f"{place}: must be a mapping")
        return
    _unknown_keys(item, ITEM_KEYS, place, errors)
    code = item.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        errors.append(f"{place}.code: required, lowercase letters, digits and '_' (at most 64)")
    elif code in seen:
        errors.append(f"{place}.code: duplicate item code {code!r}")
    else:
        seen.add(code)
    item_type = item.get("type")
    if item_type not in ITEM_TYPES:
        errors.append(f"{place}.type: {item_type!r} is not one of {', '.join(ITEM_TYPES)}")
    _texts(item.get("text"), f"{place}.text", errors, required=True)
    if "help" in item:
        _texts(item.get("help"), f"{place}.help", errors, required=True)
    if "required" in item and not isinstance(item["required"], bool):
        errors.append(f"{place}.required: must be true or false")

    if item_type in ("single_choice", "multiple_choice"):
        if "options" in item and "scale" in item:
            errors.append(f"{place}: give either options or scale, not both")
        elif "scale" in item:
            if not isinstance(item["scale"], str) or item["scale"] not in scales:
                errors.append(f"{place}.scale: unknown scale {item['scale']!r}")
        elif "options" in item:
            _options(item["options"], f"{place}.options", errors)
        else:
            errors.append(f"{place}: a choice item needs options or a scale")
    elif "options" in item or "scale" in item:
        errors.append(f"{place}: options and scale are only for choice items")

    if "max_length" in item:
        limit = item["max_length"]
        if item_type not in TEXT_TYPES:
            errors.append(f"{place}.max_length: only for text items")
        elif not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            errors.append(f"{place}.max_length: must be a whole number of at least 1")
        elif limit > DEFAULT_MAX_LENGTH["long_text"]:
            errors.append(f"{place}.max_length: at most {DEFAULT_MAX_LENGTH['long_text']}")
    if "whole" in item:
        if item_type != "number":
            errors.append(f"{place}.whole: only for number items")
        elif not isinstance(item["whole"], bool):
            errors.append(f"{place}.whole: must be true or false")
    for bound in ("min", "max"):
        if bound in item:
            if item_type != "number":
                errors.append(f"{place}.{bound}: only for number items")
            elif not _is_number(item[bound]):
                errors.append(f"{place}.{bound}: must be a number")
    if "default_from" in item:
        if item_type not in TEXT_TYPES:
            errors.append(f"{place}.default_from: only for text items")
        elif item["default_from"] not in DEFAULT_SOURCES:
            errors.append(
                f"{place}.default_from: {item['default_from']!r} is not one of "
                f"{', '.join(DEFAULT_SOURCES)}"
            )
    low, high = item.get("min"), item.get("max")
    if _is_number(low) and _is_number(high) and low > high:
        errors.append(f"{place}: min is greater than max")


def _is_number(value: Any) -> bool:
    """A number a definition may hold: stored as JSON, so never NaN or infinite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _options(options: Any, place: str, errors: list[str]) -> None:
    if not isinstance(options, list) or not options:
        errors.append(f"{place}: a non-empty list of options")
        return
    values: set[str] = set()
    for index, option in enumerate(options):
        where = f"{place}[{index}]"
        if not isinstance(option, dict):
            errors.append(f"{where}: must be a mapping with value and label")
            continue
        _unknown_keys(option, OPTION_KEYS, where, errors)
        value = option.get("value")
        if not isinstance(value, str) or not value:
            errors.append(f"{where}.value: required text (quote yes/no in YAML)")
        elif value in values:
            errors.append(f"{where}.value: duplicate option value {value!r}")
        else:
            values.add(value)
        _texts(option.get("label"), f"{where}.label", errors, required=True)


def _texts(texts: Any, place: str, errors: list[str], required: bool) -> None:
    if texts is None:
        if required:
            errors.append(f"{place}: required, with texts in {', '.join(REQUIRED_LANGUAGES)}")
        return
    if not isinstance(texts, dict):
        errors.append(f"{place}: must map languages ({', '.join(REQUIRED_LANGUAGES)}) to text")
        return
    for language in REQUIRED_LANGUAGES:
        value = texts.get(language)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{place}.{language}: missing text")
    for language in texts:
        if language not in REQUIRED_LANGUAGES:
            errors.append(f"{place}.{language}: unknown language")


def _unknown_keys(mapping: dict, allowed: set[str], place: str, errors: list[str]) -> None:
    for key in mapping:
        if key not in allowed:
            errors.append(f"{place}.{key}: unknown key")
