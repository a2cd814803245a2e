"""What a respondent can do with a response: read it, prefill it, save, submit.

Plain functions over the models; they flush but never commit (the view commits once).
"""

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Answer, Invitation, Response, Round, SubmittedVersion
from ..models.definition import Item
from ..models.types import utcnow
from ..outbox.queue import queue_message

Answers = dict[str, list[str]]


class VersionConflict(Exception):
    """The response was saved elsewhere (another tab) since this form was loaded."""


class RoundNotOpen(Exception):
    """The round takes no answers now (not yet opened, past the deadline, or closed)."""


@dataclass
class SaveOutcome:
    response: Response
    submitted: bool
    duplicate: bool = False


def response_of(invitation: Invitation) -> Response | None:
    return db.session.scalar(select(Response).filter_by(invitation_id=invitation.id))


def submitted_answers(response: Response) -> Answers:
    answers: Answers = {}
    for answer in response.answers:
        answers.setdefault(answer.item_code, []).append(answer.value)
    return answers


def working_answers(response: Response) -> Answers:
    """What the form should show: the unsent draft if any, else what was submitted."""
    if response.draft is not None:
        return {code: list(values) for code, values in response.draft.items()}
    return submitted_answers(response)


def previous_profile(invitation: Invitation) -> Answers:
    """The unit's submitted answers from the latest round that ended before this one."""
    previous = db.session.scalar(
        select(Response)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Round, Invitation.round_id == Round.id)
        .where(
            Invitation.unit_id == invitation.unit_id,
            Invitation.round_id != invitation.round_id,
            Round.deadline < invitation.round.deadline,
            Invitation.submitted_at.is_not(None),
        )
        .order_by(Round.deadline.desc(), Invitation.submitted_at.desc())
        .limit(1)
    )
    return submitted_answers(previous) if previous is not None else {}


def initial_answers(invitation: Invitation) -> Answers:
    """What the form shows before anything is typed: the response so far, or else
    the profile prefilled from the previous round and the unit's own details."""
    response = response_of(invitation)
    if response is not None:
        return working_answers(response)
    answers: Answers = {}
    earlier = previous_profile(invitation)
    for questionnaire in invitation.round.questionnaires:
        for item in questionnaire.items:
            if questionnaire.prefill_from_previous_round and item.code in earlier:
                answers[item.code] = earlier[item.code]
            elif item.default_from:
                value = getattr(invitation.unit, item.default_from.removeprefix("unit."), "")
                if value:
                    answers[item.code] = [value]
    return answers


def merge_posted(current: Answers, posted: Answers, posted_codes: set[str]) -> Answers:
    """Items on the posted page replace the current answers; items not on it stay.

    `posted_codes` are the items the page showed (so an unticked box clears its item);
    a client that does not say which items it showed changes only those it sends.
    """
    merged = {code: values for code, values in current.items() if code not in posted_codes}
    merged.update(posted)
    return merged


def lock_for_save(invitation: Invitation) -> None:
    """Take a save's locks, in their one order, and read both rows afresh."""
    for model, row_id, exclusive in (
        (Round, invitation.round_id, False),
        (Invitation, invitation.id, True),
    ):
        db.session.scalar(
            select(model)
            .where(model.id == row_id)
            .with_for_update(read=not exclusive)
            .execution_options(populate_existing=True)
        )


def save_answers(
    invitation: Invitation,
    answers: Answers,
    *,
    submit: bool,
    language: str,
    expected_version: int | None,
    submission_key: str | None,
) -> SaveOutcome:
    """Store a draft or a submission in one step, guarded by the version check.

    A draft lives in `Response.draft` only; `Answer` rows always hold the last
    submission, so results never see unsent edits.

    Raises VersionConflict when another save got in first, and RoundNotOpen after the
    deadline (unless the unit may answer late). A repeated submit with the same
    submission key stores nothing new.
    """
    # Until this save commits (PostgreSQL; SQLite already serialises writers): the
    # round row shared, against a concurrent close; the invitation row exclusive, so
    # that two saves of the same response queue here instead of both reading it and
    # then deadlocking on its update (the second reads what the first committed).
    # Always round first, then invitation: the order every other change takes them in.
    lock_for_save(invitation)
    if not invitation.accepts_answers():
        raise RoundNotOpen()
    response = response_of(invitation)
    if response is None:
        if expected_version not in (None, 0):
            raise VersionConflict()
        response = Response(invitation_id=invitation.id, version=0, language=language)
        try:
            with db.session.begin_nested():
                db.session.add(response)
                db.session.flush()
        except IntegrityError:
            # Another request created it first: a second tab or a double click.
            raise VersionConflict() from None
    if submit and submission_key and response.last_submission_key == submission_key:
        return SaveOutcome(response, submitted=True, duplicate=True)
    current = response.version
    if expected_version is not None and expected_version != current:
        raise VersionConflict()
    bumped = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.version == current)
        .values(version=current + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:
        raise VersionConflict()
    db.session.refresh(response)

    now = utcnow()
    response.language = language
    response.updated_at = now
    if not submit:
        response.draft = answers
    else:
        db.session.execute(delete(Answer).where(Answer.response_id == response.id))
        db.session.add_all(
            Answer(response_id=response.id, item_code=code, position=position, value=value)
            for code, values in answers.items()
            for position, value in enumerate(dict.fromkeys(values))
        )
        response.draft = None
        number = len(response.history) + 1
        response.last_submission_key = submission_key
        version = SubmittedVersion(
            response=response,
            number=number,
            submitted_at=now,
            language=language,
            answers=answers,
        )
        db.session.add(version)
        db.session.flush()
        # The copy of the answers goes out with this transaction or not at all.
        queue_message(invitation, "receipt", version, language=language)
        invitation.submitted_at = now
    db.session.flush()
    db.session.expire(response, ["answers", "history"])
    return SaveOutcome(response, submitted=submit)


def missing_required(items: list[Item], answers: Answers) -> list[str]:
    return [item.code for item in items if item.required and not answers.get(item.code)]


def summary(invitation: Invitation, answers: Answers, language: str):
    """Answers by section, choice values shown as their labels: for reading back."""
    sections = []
    for questionnaire in invitation.round.questionnaires:
        for section in questionnaire.sections:
            rows = []
            for item in section.items:
                values = answers.get(item.code, [])
                shown = [item.label_for(v, language) if item.is_choice else v for v in values]
                rows.append((item, shown))
            sections.append((section.title_in(language), rows))
    return sections


def was_submitted_with(invitation: Invitation, submission_key: str | None) -> bool:
    """After a conflict: did this very submit (a double click) already land?"""
    if not submission_key:
        return False
    response = response_of(invitation)
    return response is not None and response.last_submission_key == submission_key


def mark_opened(invitation: Invitation) -> None:
    if invitation.first_opened_at is None:
        invitation.first_opened_at = utcnow()
