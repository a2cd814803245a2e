"""What a new questionnaire version changes against the one it replaces, and where
the change breaks comparison with earlier rounds: shown before an author publishes."""

from dataclasses import dataclass, field

from ..models.definition import Item, Questionnaire
from .validation import REQUIRED_LANGUAGES as LANGUAGES


@dataclass(frozen=True)
class Reworded:
    old: Item
    new: Item
    languages: tuple[str, ...]  # whose question or help text changed


@dataclass(frozen=True)
class OptionsChanged:
    old: Item
    new: Item
    comparable: bool  # only labels changed: the report still compares it


@dataclass
class Changes:
    added: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    reworded: list[Reworded] = field(default_factory=list)
    options: list[OptionsChanged] = field(default_factory=list)
    # Items whose rules changed: required, limits, where a text starts from.
    rules: list[tuple[Item, Item]] = field(default_factory=list)
    # The questionnaire's "title", "intro" or "prefill" (from the previous round), or
    # the code of a section whose title changed.
    headings: list[str] = field(default_factory=list)
    # The questions kept are in another order, or moved to another section.
    moved: bool = False

    @property
    def none(self) -> bool:
        parts = (self.added, self.removed, self.reworded, self.options, self.rules, self.headings)
        return not any(parts) and not self.moved

    @property
    def incomparable(self) -> list[OptionsChanged]:
        """Items kept under their code with other options or another type: the report
        will say they changed instead of comparing them with earlier rounds."""
        return [change for change in self.options if not change.comparable]


def compare(old: Questionnaire | None, new: Questionnaire) -> Changes:
    """`new` against `old` (None: a questionnaire published for the first time)."""
    changes = Changes()
    if old is None:
        changes.added = list(new.items)
        return changes
    before = {item.code: item for item in old.items}
    after = {item.code: item for item in new.items}
    changes.added = [item for code, item in after.items() if code not in before]
    changes.removed = [item for code, item in before.items() if code not in after]
    for code, item in after.items():
        earlier = before.get(code)
        if earlier is None:
            continue
        languages = tuple(
            lang
            for lang in LANGUAGES
            if item.text.get(lang) != earlier.text.get(lang)
            or item.help.get(lang) != earlier.help.get(lang)
        )
        if languages:
            changes.reworded.append(Reworded(earlier, item, languages))
        if item.type != earlier.type or item.options != earlier.options:
            comparable = item.comparable_with(earlier)
            changes.options.append(OptionsChanged(earlier, item, comparable))
        if _rules(item) != _rules(earlier):
            changes.rules.append((earlier, item))
    changes.headings = _headings(old, new)
    changes.moved = _places(old, after) != _places(new, before)
    return changes


def _places(questionnaire: Questionnaire, kept: dict[str, Item]) -> list[tuple[str, str]]:
    """(section, question) of the questions also in `kept`, in order."""
    return [
        (section.code, item.code)
        for section in questionnaire.sections
        for item in section.items
        if item.code in kept
    ]


def _rules(item: Item) -> tuple:
    limits = (item.max_length, item.min_value, item.max_value, item.whole)
    return (item.required, *limits, item.default_from)


def _headings(old: Questionnaire, new: Questionnaire) -> list[str]:
    changed = []
    if old.title != new.title:
        changed.append("title")
    if old.intro != new.intro:
        changed.append("intro")
    if old.prefill_from_previous_round != new.prefill_from_previous_round:
        changed.append("prefill")
    titles = {section.code: section.title for section in old.sections}
    changed += [
        section.code for section in new.sections if titles.get(section.code) != section.title
    ]
    return changed
