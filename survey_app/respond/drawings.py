"""The form's items as HTML, mostly from drawings kept per process.

Drawing an item through its macro (templates/respond/_item.html) was most of the
respondent page's time. An item without an error looks the same for every respondent
who gives it the same value, so each is drawn once per form view (questionnaire
versions and language) and process:
- blank;
- a text item with its value: drawn once around a marker, the value (escaped as the
  macro escapes it) goes where the marker was: every unit's own name costs nothing;
- a choice item, for each set of options chosen (a few per item; once a form view
  keeps `CHOSEN_KEPT` such drawings, further sets are drawn each time).
An item with an error (a refused post) is drawn each time.
"""

from flask import current_app, get_template_attribute
from markupsafe import Markup, escape

from ..memo import by_identity
from ..questionnaires.form_view import FormView, ItemView, items_in_order

# Never in an answer: a NUL byte is refused before any view (security.refuse_nul).
MARKER = "\x00value\x00"
CHOSEN_KEPT = 4096  # drawings of chosen options kept per form view

# Each form view's drawings, kept by memo.by_identity.
_DRAWINGS: dict = {}


def drawn_items(view: FormView, values: dict, errors: dict) -> dict[int, Markup]:
    """The form's items drawn (by item number) showing `values` and `errors`."""
    if current_app.jinja_env.auto_reload:  # development: an edited template shows at once
        drawings = Drawings(view, _item_html())
    else:
        drawings = by_identity(_DRAWINGS, (view,), None, lambda: Drawings(view, _item_html()))
    return {
        item.number: drawings.draw(item, values.get(item.code) or (), errors.get(item.code))
        for item in items_in_order(view.questionnaires)
    }


def _item_html():
    """The macro, looked up only when drawings are made: they keep it."""
    return get_template_attribute("respond/_item.html", "item_html")


class Drawings:
    def __init__(self, view: FormView, item_html):
        self.item_html = item_html
        self.blank = {
            item.number: item_html(item, (), None) for item in items_in_order(view.questionnaires)
        }
        self.around: dict[int, tuple[Markup, Markup] | None] = {}
        self.chosen: dict[tuple, Markup] = {}

    def draw(self, item: ItemView, chosen, error) -> Markup:
        if error:
            return self.item_html(item, chosen, error)
        if not chosen:
            return self.blank[item.number]
        if item.options:
            return self._with_options(item, chosen)
        if item.number not in self.around:
            self.around[item.number] = _split(self.item_html(item, [MARKER], None))
        around = self.around[item.number]
        if around is None:  # the marker was not drawn exactly once: no shortcut
            return self.item_html(item, chosen, None)
        before, after = around
        return before + escape(chosen[0]) + after  # Markup throughout: only the value is escaped

    def _with_options(self, item: ItemView, chosen) -> Markup:
        key = (item.number, frozenset(chosen))  # the macro asks only what is in it
        drawn = self.chosen.get(key)
        if drawn is None:
            drawn = self.item_html(item, chosen, None)
            if len(self.chosen) < CHOSEN_KEPT:
                self.chosen[key] = drawn
        return drawn


def _split(drawn: Markup) -> tuple[Markup, Markup] | None:
    parts = drawn.split(MARKER)
    return (parts[0], parts[1]) if len(parts) == 2 else None
