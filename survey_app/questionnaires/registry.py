"""Questionnaire versions: stored in the database, immutable, pinned by rounds.

The database is the source of truth. The definition files shipped in the package are
the first versions (stored when first used); authors publish later ones (`publish`)
from a YAML file or a spreadsheet, without a new release of the service.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..models import QuestionnaireVersion
from ..models.definition import Questionnaire
from ..refusals import Refused
from .validation import MAX_VERSION, DefinitionError, load_yaml, validate_definition

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
DEFAULT_KEYS = ("criteria", "kehy")


def load_definition_file(path: Path) -> dict:
    data = load_yaml(path.read_text(encoding="utf-8"), source=str(path))
    errors = validate_definition(data)
    if errors:
        raise DefinitionError([f"{path.name}: {error}" for error in errors])
    return data


def shipped_definitions() -> dict[str, dict]:
    """The newest shipped definition of each questionnaire key."""
    newest: dict[str, dict] = {}
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        data = load_definition_file(path)
        current = newest.get(data["key"])
        if current is None or data["version"] > current["version"]:
            newest[data["key"]] = data
    return newest


def checksum(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ensure_stored(data: dict) -> QuestionnaireVersion:
    """Return the stored row for this definition, storing it if new.

    A file edited without raising its `version` is refused: a stored version is what
    past rounds meant and never changes.
    """
    digest = checksum(data)
    stored = db.session.scalar(
        select(QuestionnaireVersion).filter_by(key=data["key"], version=data["version"])
    )
    if stored is None:
        stored = QuestionnaireVersion(
            key=data["key"], version=data["version"], checksum=digest, definition=data
        )
        db.session.add(stored)
        db.session.flush()
    elif stored.checksum != digest:
        raise DefinitionError(
            [
                f"{data['key']} version {data['version']} differs from the version stored "
                "earlier; raise `version` in the definition file to publish the change"
            ]
        )
    return stored


def same_content(first: dict, second: dict) -> bool:
    """Whether two definitions ask the same, whatever their version numbers: the same
    questions in the same order and sections, with the same texts, options and rules
    (a list of options given as a scale or under the question asks the same)."""
    return Questionnaire.from_dict({**first, "version": 0}) == Questionnaire.from_dict(
        {**second, "version": 0}
    )


def newest_version(key: str) -> QuestionnaireVersion | None:
    """The newest version of `key`: the newest stored, or the newest shipped file when
    it is newer still (stored now; `version_of` says when a shipped file counts)."""
    stored = db.session.scalar(select(func.max(QuestionnaireVersion.version)).filter_by(key=key))
    shipped = shipped_definitions().get(key)
    numbers = [n for n in (stored, shipped["version"] if shipped else None) if n is not None]
    return version_of(key, max(numbers)) if numbers else None


def version_of(key: str, number: int) -> QuestionnaireVersion | None:
    """Version `number` of `key`: stored, or the newest shipped file of that number
    (stored now). A shipped file is a seed: a version an author published keeps its
    number. A shipped file edited without a new number is refused (DefinitionError)."""
    stored = db.session.scalar(select(QuestionnaireVersion).filter_by(key=key, version=number))
    shipped = shipped_definitions().get(key)
    if shipped is not None and shipped["version"] == number:
        if stored is None or not stored.published:
            return ensure_stored(shipped)
    return stored


def known_versions() -> dict[str, list[tuple[int, dict]]]:
    """Every version a round may pin, newest first for each key: the stored ones and
    the newest shipped files not stored yet. Reads only (a page lists them)."""
    rows = db.session.execute(
        select(
            QuestionnaireVersion.key,
            QuestionnaireVersion.version,
            QuestionnaireVersion.definition,
        )
    )
    known: dict[str, dict[int, dict]] = {}
    for key, version, definition in rows:
        known.setdefault(key, {})[version] = definition
    for data in shipped_definitions().values():
        known.setdefault(data["key"], {}).setdefault(data["version"], data)
    return {
        key: sorted(versions.items(), key=lambda pair: -pair[0])
        for key, versions in sorted(known.items())
    }


@dataclass
class Publication:
    version: QuestionnaireVersion
    stored: bool  # False: the newest version asked exactly this already
    replaced: QuestionnaireVersion | None  # the newest version before


def publish(data: dict) -> Publication:
    """Store `data` as the next version of its key, whatever version number it carries
    (an exported file carries the one it came from). A definition that asks exactly
    what the newest version asks is that version: publishing a file twice stores it
    once. DefinitionError when it is not a valid definition."""
    errors = validate_definition(data)
    if errors:
        raise DefinitionError(errors)
    newest = newest_version(data["key"])
    if newest is not None and same_content(newest.definition, data):
        return Publication(newest, False, newest)
    number = newest.version + 1 if newest is not None else 1
    data = {**data, "version": number}
    stored = QuestionnaireVersion(
        key=data["key"], version=number, checksum=checksum(data), definition=data
    )
    stored.published = True
    db.session.add(stored)
    db.session.flush()  # two authors publishing at once: the unique (key, version) decides
    return Publication(stored, True, newest)


def questionnaire_versions(specs: tuple[str, ...] | list[str]) -> list[QuestionnaireVersion]:
    """The stored versions a round pins, each named `KEY` (its newest version) or
    `KEY:VERSION` (a version stored earlier); Refused for an unknown one, or for two
    versions of one questionnaire."""
    versions: dict[str, QuestionnaireVersion] = {}
    unknown = []
    for spec in specs:
        key, _colon, number = spec.partition(":")
        if not number:
            stored = newest_version(key)
        elif number.isdigit() and int(number) <= MAX_VERSION:
            stored = version_of(key, int(number))
        else:
            stored = None
        if stored is None:
            unknown.append(spec)
        elif versions.setdefault(key, stored) is not stored:
            raise Refused(
                f"two versions of questionnaire {key!r} chosen; a round asks one",
                code="questionnaire_twice",
            )
    if unknown or not specs:
        available = sorted(known_versions())
        raise Refused(
            f"unknown questionnaire(s) {', '.join(unknown) or '(none)'}; "
            f"available: {', '.join(available)}",
            code="questionnaire_unknown",
        )
    return list(versions.values())
