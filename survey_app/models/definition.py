"""Questionnaire definitions as plain, immutable objects.

A definition is data (YAML in `survey_app/questionnaires/definitions/`, JSON in the
database); these classes are what the rest of the code reads. Reading and checking
the files lives in the `questionnaires` feature (`validation.py`, `registry.py`).
"""

from dataclasses import dataclass, field

ITEM_TYPES = ("single_choice", "multiple_choice", "short_text", "long_text", "number")
CHOICE_TYPES = ("single_choice", "multiple_choice")
TEXT_TYPES = ("short_text", "long_text")
DEFAULT_MAX_LENGTH = {"short_text": 500, "long_text": 10_000}


def localized(texts: dict[str, str] | None, language: str, fallback: str = "fi") -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Option:
    value: str
    label: dict[str, str]

    def label_in(self, language: str) -> str:
        return localized(self.label, language)


@dataclass(frozen=True)
class Item:
    code: str
    type: str
    text: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    required: bool = False
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    whole: bool = False  # a number item that takes whole numbers only
    default_from: str | None = None

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def is_multiple(self) -> bool:
        return self.type == "multiple_choice"

    def text_in(self, language: str) -> str:
        return localized(self.text, language)

    def help_in(self, language: str) -> str:
        return localized(self.help, language)

    def option_values(self) -> list[str]:
        return [option.value for option in self.options]

    def comparable_with(self, earlier: "Item") -> bool:
        """Whether answers to this item and to `earlier` (asked in another round under
        the same code) count the same thing: the same kind of item with the same option
        codes. A reworded text or label keeps it comparable; other options do not."""
        return (
            self.code == earlier.code
            and self.type == earlier.type
            and sorted(self.option_values()) == sorted(earlier.option_values())
        )

    def label_for(self, value: str, language: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label_in(language)
        return value


@dataclass(frozen=True)
class Section:
    code: str
    title: dict[str, str]
    items: tuple[Item, ...]

    def title_in(self, language: str) -> str:
        return localized(self.title, language)


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    title: dict[str, str]
    sections: tuple[Section, ...]
    intro: dict[str, str] = field(default_factory=dict)
    prefill_from_previous_round: bool = False

    def title_in(self, language: str) -> str:
        return localized(self.title, language)

    def intro_in(self, language: str) -> str:
        return localized(self.intro, language)

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @classmethod
    def from_dict(cls, data: dict) -> "Questionnaire":
        """Build from a definition already checked by `validation.validate_definition`."""
        scales = data.get("scales") or {}
        sections = []
        for section in data["sections"]:
            items = []
            for item in section["items"]:
                raw_options = item.get("options")
                if raw_options is None and item.get("scale"):
                    raw_options = scales[item["scale"]]
                options = tuple(
                    Option(value=str(opt["value"]), label=dict(opt["label"]))
                    for opt in raw_options or ()
                )
                max_length = item.get("max_length")
                if max_length is None and item["type"] in TEXT_TYPES:
                    max_length = DEFAULT_MAX_LENGTH[item["type"]]
                items.append(
                    Item(
                        code=item["code"],
                        type=item["type"],
                        text=dict(item["text"]),
                        help=dict(item.get("help") or {}),
                        required=bool(item.get("required", False)),
                        options=options,
                        max_length=max_length,
                        min_value=item.get("min"),
                        max_value=item.get("max"),
                        whole=bool(item.get("whole", False)),
                        default_from=item.get("default_from"),
                    )
                )
            sections.append(
                Section(code=section["code"], title=dict(section["title"]), items=tuple(items))
            )
        return cls(
            key=data["key"],
            version=int(data["version"]),
            title=dict(data["title"]),
            sections=tuple(sections),
            intro=dict(data.get("intro") or {}),
            prefill_from_previous_round=bool(data.get("prefill_from_previous_round", False)),
        )
