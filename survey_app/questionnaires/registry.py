"""The definition files shipped in the package, and storing them as pinned versions."""

import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import QuestionnaireVersion
from ..refusals import Refused
from .validation import DefinitionError, load_yaml, validate_definition

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


def questionnaire_versions(specs: tuple[str, ...] | list[str]) -> list[QuestionnaireVersion]:
    """The stored versions a round pins, each named `KEY` (the newest shipped version)
    or `KEY:VERSION` (a version stored earlier); Refused for an unknown one."""
    definitions = shipped_definitions()
    versions: dict[str, QuestionnaireVersion] = {}
    unknown = []
    for spec in specs:
        key, _colon, number = spec.partition(":")
        if not number:
            if key in definitions:
                versions.setdefault(key, ensure_stored(definitions[key]))
            else:
                unknown.append(spec)
            continue
        stored = None
        if number.isdigit():
            stored = db.session.scalar(
                select(QuestionnaireVersion).filter_by(key=key, version=int(number))
            )
        if stored is None:
            unknown.append(spec)
        else:
            versions.setdefault(key, stored)
    if unknown or not specs:
        raise Refused(
            f"unknown questionnaire(s) {', '.join(unknown) or '(none)'}; "
            f"available: {', '.join(sorted(definitions))}",
            code="questionnaire_unknown",
        )
    return list(versions.values())
