"""The questionnaire versions a new round's form offers: the newest of each, and the
earlier ones on request; a round asks one version of each questionnaire."""

from flask_babel import gettext as _

from ..models.definition import Questionnaire
from ..questionnaires.registry import known_versions


def questionnaire_choices(language: str) -> list[tuple[str, str]]:
    """The newest version of each questionnaire (its key), then the earlier ones
    (`key:version`), which the page shows on request."""
    newest, earlier = [], []
    for key, versions in known_versions().items():
        for number, data in versions:
            title = Questionnaire.from_dict(data).title_in(language)
            if not newest or newest[-1][0] != key:
                newest.append((key, f"{title} ({key}, v{number})"))
            else:
                label = _(
                    "%(title)s (%(key)s, v%(version)d, an earlier version)",
                    title=title,
                    key=key,
                    version=number,
                )
                earlier.append((f"{key}:{number}", label))
    return newest + earlier


def one_version_each(chosen: list[str]) -> bool:
    keys = [spec.partition(":")[0] for spec in chosen]
    return len(keys) == len(set(keys))
