"""The respondent form's questions as plain strings, made once per version and language."""

from survey_app.models.definition import Questionnaire
from survey_app.questionnaires.form_view import answered_count, form_view
from survey_app.questionnaires.registry import shipped_definitions


def _shipped() -> list[Questionnaire]:
    definitions = shipped_definitions()
    return [Questionnaire.from_dict(definitions[key]) for key in ("criteria", "kehy")]


def test_items_are_numbered_across_questionnaires_in_the_readers_language():
    criteria, kehy = _shipped()
    view = form_view([criteria, kehy], "sv")
    numbers = [
        item.number
        for questionnaire in view.questionnaires
        for section in questionnaire.sections
        for item in section.items
    ]
    assert numbers == list(range(1, len(criteria.items) + len(kehy.items) + 1))
    first = criteria.items[0]
    assert view.items[first.code].text == first.text_in("sv")
    assert [option.label for option in view.items[first.code].options] == [
        option.label_in("sv") for option in first.options
    ]
    assert view.items[first.code].options[1].input_id == f"{first.code}-1"


def test_a_view_is_made_once_per_questionnaires_and_language():
    questionnaires = _shipped()
    assert form_view(questionnaires, "fi") is form_view(list(questionnaires), "fi")
    assert form_view(questionnaires, "fi") is not form_view(questionnaires, "en")
    # Other objects (another parse of the same text) get their own view, never a stale one.
    assert form_view(_shipped(), "fi") is not form_view(questionnaires, "fi")


def test_blank_text_is_not_an_answer():
    items = _shipped()[1].items[:2]
    assert answered_count({items[0].code: ["  "], items[1].code: ["Kuopio"]}, items) == 1
