"""The form's items from kept drawings (respond/drawings.py) are exactly what the macro
draws: a text item's value put where the marker was drawn, escaped as the macro
escapes it; a choice item's drawing kept for its chosen options."""

import pytest
from flask import get_template_attribute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaires.form_view import form_view, items_in_order
from survey_app.respond.drawings import Drawings, drawn_items
from tests.factories import make_round

# Any text a person could type (no NUL: refused before any view) and some that a
# person would not, to break the markup.
TEXTS = st.text(
    st.characters(blacklist_characters="\x00"), min_size=1, max_size=40
) | st.sampled_from(
    ['"><script>alert(1)</script>', "a & b", "'", "{{ 7*7 }}", "rivi\r\nrivi", "\x01"]
)


@pytest.fixture
def views(app, db):
    """The shipped form's view in each language (a function: its repr stays short)."""
    questionnaires = make_round().questionnaires
    return lambda: [form_view(questionnaires, language) for language in app.config["LANGUAGES"]]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, picks=st.lists(st.integers(min_value=0, max_value=9), max_size=4))
def test_every_kept_drawing_is_the_macros_own(app, views, text, picks):
    with app.test_request_context("/"):
        item_html = get_template_attribute("respond/_item.html", "item_html")
        for view in views():
            drawings = Drawings(view, item_html)
            for item in items_in_order(view.questionnaires):
                if item.options:
                    chosen = [item.options[p % len(item.options)].value for p in picks]
                else:
                    chosen = [text]
                for _ in range(2):  # drawn, then from what was kept
                    assert drawings.draw(item, chosen, None) == item_html(item, chosen, None)
                assert drawings.draw(item, (), None) == item_html(item, (), None)


def test_an_item_with_an_error_is_drawn_with_it(app, views):
    with app.test_request_context("/"):
        view = views()[0]
        item = next(items_in_order(view.questionnaires))
        drawn = drawn_items(view, {}, {item.code: ["Valitse yksi."]})[item.number]
        assert "Valitse yksi." in drawn and 'aria-invalid="true"' in drawn
        assert "Valitse yksi." not in drawn_items(view, {}, {})[item.number]
