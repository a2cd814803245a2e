"""A save's statements, built once: its locks and fresh reads, and the rows of a
submission. A submit runs each of them, and building them anew was a third of its
time (issue 13). `services.save_answers` decides when each runs."""

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..database import begin_writing
from ..extensions import db
from ..models import Answer, Invitation, Response, Round, SubmittedVersion
from ..outbox.queue import queue_receipt

Answers = dict[str, list[str]]

# A save's locks and fresh reads, built once: `refresh` built its query on every save.
_ROUND_STATE = ("state", "deadline", "opened_at", "closed_at")
_INVITATION_STATE = ("late_until", "submitted_at", "token_hash")
_LOCK_ROUND = (
    select(*(getattr(Round.__table__.c, name) for name in _ROUND_STATE))
    .where(Round.__table__.c.id == bindparam("id"))
    .with_for_update(read=True)
)
_LOCK_INVITATION = (
    select(*(getattr(Invitation.__table__.c, name) for name in _INVITATION_STATE))
    .where(Invitation.__table__.c.id == bindparam("id"))
    .with_for_update()
)


def lock_for_save(invitation: Invitation) -> bool:
    """Take a save's locks, in their one order, and read afresh what a save depends on:
    the round's state and times, the invitation's late permission and submission, and
    its link: whether it is still the one the request came with (not re-issued since)."""
    begin_writing()  # a submit's reading ends here (database.reads_first)
    link_read = invitation.token_hash
    round_ = invitation.round
    for target, statement, names in (
        (round_, _LOCK_ROUND, _ROUND_STATE),
        (invitation, _LOCK_INVITATION, _INVITATION_STATE),
    ):
        row = db.session.execute(statement, {"id": target.id}).one()
        for name, value in zip(names, row, strict=True):
            set_committed_value(target, name, value)
    return invitation.token_hash == link_read


# A save of a response that exists, built once: the ORM's flush of the same two
# UPDATEs was a fifth of a submit's time (issue 13). The version check is the ORM's
# (`Response.version` is its version counter): no row updated, another save got in.
_RESPONSES = Response.__table__
_UPDATE_RESPONSE = (
    update(_RESPONSES)
    .where(_RESPONSES.c.id == bindparam("response_id"), _RESPONSES.c.version == bindparam("read"))
    .values(
        version=bindparam("read") + 1,
        language=bindparam("language"),
        updated_at=bindparam("now"),
        draft=bindparam("draft"),
        last_submission_key=bindparam("submission_key"),
    )
)
_MARK_SUBMITTED = (
    update(Invitation.__table__)
    .where(Invitation.__table__.c.id == bindparam("invitation_id"))
    .values(submitted_at=bindparam("now"))
)


def update_response(response: Response, **values) -> bool:
    """Write `values` (language, updated_at, draft, last_submission_key) to the stored
    response if nobody saved it since it was read; whether it was written."""
    read = response.version
    parameters = {
        "response_id": response.id,
        "read": read,
        "language": values["language"],
        "now": values["updated_at"],
        "draft": values["draft"],
        "submission_key": values["last_submission_key"],
    }
    if db.session.execute(_UPDATE_RESPONSE, parameters).rowcount != 1:
        return False
    for name, value in {**values, "version": read + 1}.items():
        set_committed_value(response, name, value)
    return True


def mark_submitted(invitation: Invitation, now) -> None:
    db.session.execute(_MARK_SUBMITTED, {"invitation_id": invitation.id, "now": now})
    set_committed_value(invitation, "submitted_at", now)


# A submission's statements, built once (building them was a fifth of a submit's time).
_DELETE_ANSWERS = delete(Answer.__table__).where(
    Answer.__table__.c.response_id == bindparam("response_id")
)
_INSERT_ANSWERS = insert(Answer.__table__)
_NEXT_NUMBER = (
    select(func.coalesce(func.max(SubmittedVersion.number), 0) + 1)
    .where(SubmittedVersion.response_id == bindparam("response_id"))
    .scalar_subquery()
)
_INSERT_SUBMITTED = (
    insert(SubmittedVersion.__table__)
    .values(response_id=bindparam("response_id"), number=_NEXT_NUMBER)
    .returning(SubmittedVersion.__table__.c.id)
)


def store_submission(invitation, response_id: int, answers: Answers, language: str, now):
    """The submitted answers as Answer rows, a numbered copy in the history and the
    receipt queued with this transaction (or not at all)."""
    db.session.execute(_DELETE_ANSWERS, {"response_id": response_id})
    rows = Answer.rows(response_id, answers)
    if rows:
        db.session.execute(_INSERT_ANSWERS, rows)
    version_id = db.session.scalar(
        _INSERT_SUBMITTED,
        {"response_id": response_id, "submitted_at": now, "language": language, "answers": answers},
    )
    queue_receipt(invitation, version_id, language)
