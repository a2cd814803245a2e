"""The respondent form's questions as plain strings in one language, made once per
round's questionnaire versions and language in each process.

The respondent's page is the service's most requested: its template loops over these
instead of calling a macro and a dozen lookups per field (that took a third of the
page's time). The
versions never change, so neither do their views. What differs per respondent (the
values shown, the errors) is passed beside them: `shown_values`.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from wtforms import Form

from ..memo import by_identity
from ..models.definition import Item, Questionnaire


@dataclass(frozen=True)
class OptionView:
    input_id: str
    value: str
    label: str


@dataclass(frozen=True)
class ItemView:
    code: str
    number: int  # shown before the question, counting across questionnaires
    type: str  # as in the definition: single_choice, multiple_choice, long_text …
    text: str
    help: str
    required: bool
    max_length: int | None
    options: tuple[OptionView, ...] = ()
    whole: bool = False

    @property
    def input_type(self) -> str:
        return "checkbox" if self.type == "multiple_choice" else "radio"


@dataclass(frozen=True)
class SectionView:
    code: str
    title: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class QuestionnaireView:
    key: str
    title: str
    intro: str
    sections: tuple[SectionView, ...]
    # Its answers start from the unit's previous round (when it had one).
    prefills: bool = False


@dataclass(frozen=True)
class FormView:
    questionnaires: tuple[QuestionnaireView, ...]
    items: dict[str, ItemView]  # by code, the first where two questionnaires share one


# Each view by its questionnaires and language (memo.by_identity).
_VIEWS: dict[tuple, tuple[tuple[Questionnaire, ...], FormView]] = {}


def form_view(questionnaires: list[Questionnaire], language: str) -> FormView:
    return by_identity(
        _VIEWS, questionnaires, language, lambda: build_form_view(questionnaires, language)
    )


def build_form_view(questionnaires: list[Questionnaire], language: str) -> FormView:
    """The view made anew, not kept: for a version not stored (a preview before
    publishing), which would otherwise stay in the cache for good."""
    views = _questionnaire_views(questionnaires, language)
    items: dict[str, ItemView] = {}
    for item in items_in_order(views):
        items.setdefault(item.code, item)
    return FormView(views, items)


def items_in_order(views: tuple[QuestionnaireView, ...]) -> Iterator[ItemView]:
    """Every item of these questionnaire views in form order (by number: a code two
    questionnaires share comes twice)."""
    for view in views:
        for section in view.sections:
            yield from section.items


def _questionnaire_views(
    questionnaires: list[Questionnaire], language: str
) -> tuple[QuestionnaireView, ...]:
    numbers = iter(range(1, 100_000))
    return tuple(
        QuestionnaireView(
            key=questionnaire.key,
            title=questionnaire.title_in(language),
            intro=questionnaire.intro_in(language),
            prefills=questionnaire.prefill_from_previous_round,
            sections=tuple(
                SectionView(
                    code=section.code,
                    title=section.title_in(language),
                    items=tuple(
                        _item_view(item, next(numbers), language) for item in section.items
                    ),
                )
                for section in questionnaire.sections
            ),
        )
        for questionnaire in questionnaires
    )


def _item_view(item: Item, number: int, language: str) -> ItemView:
    return ItemView(
        code=item.code,
        number=number,
        type=item.type,
        text=item.text_in(language),
        help=item.help_in(language),
        required=item.required,
        max_length=item.max_length,
        whole=item.whole,
        options=tuple(
            OptionView(f"{item.code}-{index}", option.value, option.label_in(language))
            for index, option in enumerate(item.options)
        ),
    )


def shown_values(form: Form, items: list[Item]) -> dict[str, list[str]]:
    """What each field of a posted form shows again: as typed (after the form's filters),
    valid or not, so nothing typed is lost when the page comes back with errors."""
    values: dict[str, list[str]] = {}
    for item in items:
        data = form[item.code].data
        if isinstance(data, list):
            values[item.code] = [str(value) for value in data if value]
        elif data not in (None, ""):
            values[item.code] = [str(data)]
    return values


def answered_count(values: dict[str, list[str]], items: list[Item]) -> int:
    return sum(1 for item in items if any(value.strip() for value in values.get(item.code, ())))
