"""WTForms built from a questionnaire definition.

Fields are named by item code (a contract: BRIEF.md). The form validates what may
ever be stored (choices, lengths, numbers); required items are checked on submit by
the caller.
"""

import re

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from wtforms import (
    Form,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from ..memo import by_identity
from ..models.definition import DEFAULT_MAX_LENGTH, Item


class OptionalRadioField(RadioField):
    """A radio group where no choice is a valid (non-)answer."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            self.data = None
            return
        super().pre_validate(form)


CONTROL_CHARACTERS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def clean_text(value):
    """Browsers send line breaks as CRLF but count them as one character (maxlength):
    store LF. NUL and other control characters are never meant; PostgreSQL refuses NUL."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").translate(CONTROL_CHARACTERS)
    return value


class MaxLength:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                _l(
                    "The answer is too long: at most %(limit)s characters, now %(length)s.",
                    limit=format_number(self.limit),
                    length=format_number(length),
                )
            )


NUMBER_RE = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$", re.ASCII)
WHOLE_RE = re.compile(r"^-?[0-9]{1,15}$", re.ASCII)


def normalise_number(value: str | None) -> str:
    """'3,5' and '1 200' as people write them in Finland, to '3.5' and '1200'."""
    return (value or "").strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")


class NumberRange:
    def __init__(self, low: float | None, high: float | None, whole: bool = False):
        self.low, self.high, self.whole = low, high, whole

    def __call__(self, form, field):
        text = normalise_number(field.data)
        if not text:
            return
        if self.whole and not WHOLE_RE.match(text):
            raise ValidationError(_l("Enter a whole number, for example 12."))
        if not NUMBER_RE.match(text):
            raise ValidationError(_l("Enter a number, for example 12 or 3,5."))
        number = float(text)
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ValidationError(
                _l(
                    "Enter a number between %(low)s and %(high)s.",
                    low=self.low if self.low is not None else "–",
                    high=self.high if self.high is not None else "–",
                )
            )


def _field_for(item: Item, language: str):
    validators: list = []
    label = item.text_in(language)
    if item.type == "single_choice":
        choices = [SelectChoice(opt.value, opt.label_in(language)) for opt in item.options]
        return OptionalRadioField(
            label,
            choices=choices,
            validators=validators,
            invalid_choice_message=_l("Choose one of the options given."),
        )
    if item.type == "multiple_choice":
        choices = [SelectChoice(opt.value, opt.label_in(language)) for opt in item.options]
        return SelectMultipleField(
            label,
            choices=choices,
            validators=validators,
            invalid_choice_message=_l("Choose among the options given."),
        )
    if item.type == "number":
        return StringField(
            label,
            validators=[*validators, NumberRange(item.min_value, item.max_value, item.whole)],
            filters=[clean_text],
        )
    field_class = TextAreaField if item.type == "long_text" else StringField
    return field_class(
        label,
        validators=[*validators, MaxLength(item.max_length or DEFAULT_MAX_LENGTH["long_text"])],
        filters=[clean_text],
    )


def build_form(items: list[Item], language: str, formdata=None, data=None):
    """A WTForms form for these items, processed with formdata or data.

    Required items are checked by the caller against the merged answers, since a page
    may post only some items."""

    return _form_class(items, language)(formdata=formdata, data=data)


# Each form class by its items and language (memo.by_identity): items are parsed once per
# questionnaire version and never change, so neither does the class.
_FORM_CLASSES: dict = {}


def _form_class(items: list[Item], language: str) -> type[Form]:
    """Built once per process: building 23 fields took a sixth of a submit's time."""

    def make() -> type[Form]:
        class AnswersForm(Form):
            pass

        for item in items:
            setattr(AnswersForm, item.code, _field_for(item, language))
        return AnswersForm

    return by_identity(_FORM_CLASSES, items, language, make)


def answers_from_form(form, items: list[Item]) -> dict[str, list[str]]:
    """The form's values as {item code: [values]}, dropping empty answers."""
    answers: dict[str, list[str]] = {}
    for item in items:
        value = form[item.code].data
        if item.is_multiple:
            values = [v for v in (value or []) if v]
        elif item.type == "number":
            text = normalise_number(value)
            values = [text] if text else []
        elif item.is_choice:
            values = [value] if value else []
        else:
            text = value or ""
            values = [text] if text.strip() else []
        if values:
            answers[item.code] = values
    return answers
