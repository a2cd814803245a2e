"""Writing a checked past round: the closed round, its invitations, responses, answer
rows and submission history, in bulk, in the caller's transaction. No mail is queued
and no receipt is promised: the round is history."""

from datetime import datetime

from sqlalchemy import insert, select

from .. import tokens
from ..extensions import db
from ..models import Answer, Invitation, QuestionnaireVersion, Response, Round, SubmittedVersion
from ..models.types import utcnow
from ..rounds.services import add_round, check_names
from .check import PastRound

INSERT_BATCH = 1000


def write_round(
    slug: str,
    title: str,
    closes: datetime,
    versions: list[QuestionnaireVersion],
    past: PastRound,
    filename: str,
    title_translations: dict[str, str] | None = None,
) -> Round:
    """Create the closed round with its invitations and submitted responses, in bulk,
    in the caller's transaction. No mail is queued: the round is history."""
    translations = check_names(slug, title, title_translations)
    round_ = Round(
        slug=slug,
        title=title.strip(),
        title_translations=translations or None,
        deadline=closes,
        state="closed",
        closed_at=closes,
        imported_from=filename[:300],
        imported_at=utcnow(),
    )
    add_round(round_, versions)
    now = utcnow()
    invitation_rows = []
    for response in past.responses:
        salt = tokens.new_salt()
        _token, digest = tokens.issue(salt)
        invitation_rows.append(
            {
                "round_id": round_.id,
                "unit_id": response.unit_id,
                "token_salt": salt,
                "token_hash": digest,
                "token_issued_at": now,
                "created_at": now,
                "submitted_at": response.submitted_at,
                **{f"unit_{name}": value for name, value in response.unit.items()},
            }
        )
    _insert(Invitation, invitation_rows)
    invitation_ids = dict(
        db.session.execute(
            select(Invitation.unit_id, Invitation.id).where(Invitation.round_id == round_.id)
        ).all()
    )
    _insert(
        Response,
        [
            {
                "invitation_id": invitation_ids[response.unit_id],
                "version": 1,
                "language": response.language,
                "created_at": response.submitted_at,
                "updated_at": response.submitted_at,
            }
            for response in past.responses
        ],
    )
    response_ids = dict(
        db.session.execute(
            select(Response.invitation_id, Response.id)
            .join(Invitation, Response.invitation_id == Invitation.id)
            .where(Invitation.round_id == round_.id)
        ).all()
    )
    answers, history = [], []
    for response in past.responses:
        response_id = response_ids[invitation_ids[response.unit_id]]
        answers.extend(Answer.rows(response_id, response.answers))
        history.append(
            {
                "response_id": response_id,
                "number": 1,
                "submitted_at": response.submitted_at,
                "language": response.language,
                "answers": response.answers,
            }
        )
    _insert(Answer, answers)
    _insert(SubmittedVersion, history)
    return round_


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), INSERT_BATCH):
        db.session.execute(insert(model), rows[start : start + INSERT_BATCH])
