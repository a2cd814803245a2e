"""The questionnaire versions a new round's form offers: the newest of each, and the
earlier ones on request. Each checkbox names its version (`key:version`), so the round
pins the version the page showed even if a newer one is published meanwhile."""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..models.definition import Questionnaire
from ..questionnaires.registry import DEFAULT_KEYS, known_versions


@dataclass
class QuestionnaireChoices:
    options: list[tuple[str, str]] = field(default_factory=list)  # (key:version, label)
    newest: set[str] = field(default_factory=set)  # the options of the newest versions

    @property
    def defaults(self) -> list[str]:
        """The newest version of each questionnaire a round asks by default."""
        return [spec for spec in self.newest if spec.partition(":")[0] in DEFAULT_KEYS]


def questionnaire_choices(language: str) -> QuestionnaireChoices:
    choices = QuestionnaireChoices()
    earlier = []
    for key, versions in known_versions().items():
        for position, (number, data) in enumerate(versions):
            title = Questionnaire.from_dict(data).title_in(language)
            spec = f"{key}:{number}"
            if position == 0:
                choices.options.append((spec, f"{title} ({key}, v{number})"))
                choices.newest.add(spec)
            else:
                label = _(
                    "%(title)s (%(key)s, v%(version)d, an earlier version)",
                    title=title,
                    key=key,
                    version=number,
                )
                earlier.append((spec, label))
    choices.options += earlier
    return choices


def one_version_each(chosen: list[str]) -> bool:
    keys = [spec.partition(":")[0] for spec in chosen]
    return len(keys) == len(set(keys))
