"""A past round's row of answers checked by the respondent's own form rules."""

from werkzeug.datastructures import MultiDict

from ..models.definition import Item
from ..questionnaires.forms import answers_from_form, build_form
from ..results.exports import FORMULA_STARTS, MULTIPLE_SEPARATOR


def checked_answers(
    values: dict[str, str], items: list[Item]
) -> tuple[dict[str, list[str]], list[str]]:
    """A row's answers checked by the respondent's own form rules (options, lengths,
    numbers). A choice may be given by its value or by its label in any language;
    multiple choices are separated by "; " as the export writes them."""
    formdata = MultiDict()
    for item in items:
        text = _unneutralised(values.get(item.code, ""))
        if not text:
            continue
        if item.is_choice:
            parts = text.split(MULTIPLE_SEPARATOR.strip()) if item.is_multiple else [text]
            for part in parts:
                if part.strip():
                    formdata.add(item.code, _option_value(item, part.strip()))
        else:
            formdata.add(item.code, text)
    form = build_form(items, "fi", formdata=formdata)
    if form.validate():
        return answers_from_form(form, items), []
    messages = [
        f'{code} "{values.get(code, "")[:40]}": {" ".join(str(error) for error in errors)}'
        for code, errors in form.errors.items()
    ]
    return {}, messages


def _unneutralised(text: str) -> str:
    """The export writes a cell that could be a formula with a leading `'`: undone."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _option_value(item: Item, text: str) -> str:
    """An option's value from its value or its label in fi, sv or en (any case);
    anything else as given, for the form to refuse."""
    folded = text.casefold()
    for option in item.options:
        if folded == option.value.casefold() or any(
            folded == label.casefold() for label in option.label.values()
        ):
            return option.value
    return text
