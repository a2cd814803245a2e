"""The questionnaire versions, as the questionnaires' page lists them: the stored ones
and the newest shipped files not stored yet (a page only reads)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import QuestionnaireVersion
from ..models.round import round_questionnaires
from ..questionnaires.registry import known_versions


@dataclass
class VersionRow:
    key: str
    version: int
    title: dict
    stored_at: datetime | None  # None: a shipped file no round has asked yet
    rounds: int  # rounds that ask it


def versions_by_key() -> dict[str, list[VersionRow]]:
    """Every version, newest first for each questionnaire."""
    stored = db.session.execute(
        select(
            QuestionnaireVersion.key,
            QuestionnaireVersion.version,
            QuestionnaireVersion.created_at,
            func.count(round_questionnaires.c.round_id),
        )
        .outerjoin(
            round_questionnaires,
            round_questionnaires.c.questionnaire_version_id == QuestionnaireVersion.id,
        )
        .group_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version, QuestionnaireVersion.created_at
        )
    )
    facts = {(key, version): (created, rounds) for key, version, created, rounds in stored}
    return {
        key: [
            VersionRow(key, number, data["title"], *facts.get((key, number), (None, 0)))
            for number, data in versions
        ]
        for key, versions in known_versions().items()
    }


def definition_of(key: str, number: int) -> dict | None:
    return dict(known_versions().get(key, [])).get(number)
