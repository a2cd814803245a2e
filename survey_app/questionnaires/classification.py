"""The roster's classification: fields of work, regions and statuses, each with a
stable code and names in fi, sv and en (`classifications/units-v<N>.yaml`).

What is stored stays as it was (BRIEF.md): a field's or region's Finnish name, a
status's code. `stored_value` turns the code or any name a file gives into that;
`name_in` shows a stored value in the reader's language; a value the classification
does not know (kept from before it) is shown as it is.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ..i18n import current_language

DIRECTORY = Path(__file__).resolve().parent / "classifications"
KINDS = ("field", "region", "status")
LANGUAGES = ("fi", "sv", "en")
_SECTIONS = {"field": "fields", "region": "regions", "status": "statuses"}


@dataclass(frozen=True)
class Category:
    kind: str
    code: str
    names: dict[str, str]

    @property
    def stored(self) -> str:
        """What the roster keeps: a status's code, a field's or region's Finnish name."""
        return self.code if self.kind == "status" else self.names["fi"]


@dataclass(eq=False)
class Classification:
    version: int
    categories: dict[str, tuple[Category, ...]]
    # (kind, a code or name folded) → its entry
    lookup: dict[tuple[str, str], Category] = field(init=False)

    def __post_init__(self):
        self.lookup = {}
        for kind, categories in self.categories.items():
            for category in categories:
                for text in (category.code, *category.names.values()):
                    self.lookup.setdefault((kind, _folded(text)), category)

    def stored_value(self, kind: str, text: str) -> str | None:
        """The stored value for a code or a name in any language (any case, spaces
        collapsed); None when the classification has no such entry."""
        category = self.lookup.get((kind, _folded(text)))
        return category.stored if category else None

    def name_in(self, kind: str, stored: str, language: str) -> str:
        category = self.lookup.get((kind, _folded(stored)))
        if category is None:
            return stored
        return category.names.get(language) or category.names["fi"]

    def choices(self, kind: str, language: str) -> list[tuple[str, str]]:
        """(stored value, name in `language`) of every entry, in the file's order."""
        return [
            (category.stored, category.names.get(language) or category.names["fi"])
            for category in self.categories[kind]
        ]


def _folded(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@cache
def classification() -> Classification:
    """The newest classification file, read once per process."""
    newest = max(DIRECTORY.glob("units-v*.yaml"), key=lambda path: int(path.stem[7:]))
    data = yaml.safe_load(newest.read_text(encoding="utf-8"))
    categories = {
        kind: tuple(
            Category(kind, entry["code"], {lang: entry[lang] for lang in LANGUAGES})
            for entry in data[_SECTIONS[kind]]
        )
        for kind in KINDS
    }
    return Classification(version=data["version"], categories=categories)


def name_in(kind: str, stored: str | None, language: str) -> str:
    """A stored field, region or status in `language` (as it is, when unknown)."""
    if not stored:
        return ""
    return classification().name_in(kind, stored, language)


def stored_value(kind: str, text: str) -> str | None:
    return classification().stored_value(kind, text)


def classified(stored: str | None, kind: str) -> str:
    """The Jinja filter `value|classified("field")`: in the page's language."""
    return name_in(kind, stored, current_language())


def choices_here(kind: str) -> list[tuple[str, str]]:
    """(stored value, name) of every entry, named in the page's language."""
    return classification().choices(kind, current_language())
