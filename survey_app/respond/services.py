"""What a respondent can do with a response: read it, prefill it, save, submit.

Plain functions over the models; they flush but never commit (the view commits once).
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..database import write_apart
from ..extensions import db
from ..invitations.earlier import EARLIER_PROFILE, PROFILE_OF_INVITATION
from ..models import Invitation, Response
from ..models.definition import Item
from ..models.types import utcnow
from .writes import lock_for_save, mark_submitted, store_submission, update_response

Answers = dict[str, list[str]]


class VersionConflict(Exception):
    """The response was saved elsewhere (another tab) since this form was loaded."""


class LinkReissued(Exception):
    """The unit's link was replaced while this request was under way: it opens nothing."""


class RoundNotOpen(Exception):
    """The round takes no answers now (not yet opened, past the deadline, or closed)."""


@dataclass
class SaveOutcome:
    response: Response
    submitted: bool
    duplicate: bool = False


# Built once, as the respondent's every request reads it.
_RESPONSE_OF = (
    select(Response)
    .options(joinedload(Response.answers))
    .where(Response.invitation_id == bindparam("invitation_id"))
    .execution_options(populate_existing=True)
)


def response_of(invitation: Invitation) -> Response | None:
    """The unit's response with its submitted answers, in one query."""
    found = db.session.execute(_RESPONSE_OF, {"invitation_id": invitation.id})
    return found.unique().scalar_one_or_none()


# A save reads the response alone: its answers are read only where the save needs them.
_RESPONSE_ALONE = (
    select(Response)
    .where(Response.invitation_id == bindparam("invitation_id"))
    .execution_options(populate_existing=True)
)


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


_UNKNOWN = object()


def previous_profile(invitation: Invitation, earlier: int | None | object = _UNKNOWN) -> Answers:
    """The unit's submitted answers from the latest round that ended before this one:
    of the invitation `earlier` when the caller read which it is (None: there is none)."""
    if earlier is None:
        return {}
    if earlier is _UNKNOWN:
        statement, parameters = (
            EARLIER_PROFILE,
            {
                "unit_id": invitation.unit_id,
                "round_id": invitation.round_id,
                "deadline": invitation.round.deadline,
            },
        )
    else:
        statement, parameters = PROFILE_OF_INVITATION, {"invitation_id": earlier}
    answers: Answers = {}
    for code, value in db.session.execute(statement, parameters):
        answers.setdefault(code, []).append(value)
    return answers


def initial_answers(invitation: Invitation, response: Response | None) -> Answers:
    """What the form shows before anything is typed: the response so far (`response`,
    as `response_of` read it), or else the profile prefilled from the previous round
    and the unit's own details."""
    return form_start(invitation, response)[0]


def form_start(
    invitation: Invitation, response: Response | None, earlier: int | None | object = _UNKNOWN
) -> tuple[Answers, bool]:
    """`initial_answers`, and whether any of them came from the unit's previous round
    (the form says so only then). `earlier` as for `previous_profile`."""
    if response is not None:
        return working_answers(response), False
    answers: Answers = {}
    prefilled = False
    profile = previous_profile(invitation, earlier)
    for questionnaire in invitation.round.questionnaires:
        for item in questionnaire.items:
            if questionnaire.prefill_from_previous_round and item.code in profile:
                answers[item.code] = profile[item.code]
                prefilled = True
            elif item.default_from:
                value = getattr(invitation.unit, item.default_from.removeprefix("unit."), "")
                if value:
                    answers[item.code] = [value]
    return answers, prefilled


def merge_posted(current: Answers, posted: Answers, posted_codes: set[str]) -> Answers:
    """Items on the posted page replace the current answers; items not on it stay.

    `posted_codes` are the items the page showed (so an unticked box clears its item);
    a client that does not say which items it showed changes only those it sends.
    """
    merged = {code: values for code, values in current.items() if code not in posted_codes}
    merged.update(posted)
    return merged


def locked_response(invitation: Invitation) -> Response | None:
    """Begin a save: take its locks and read the unit's response as it is now.

    Until the save commits (PostgreSQL; SQLite already serialises writers): the round
    row shared, against a concurrent close; the invitation row exclusive, so that two
    saves of the same response queue here instead of both reading it and then
    deadlocking on its update (the second reads what the first committed). Always
    round first, then invitation: the order every other change takes them in. Raises
    RoundNotOpen when the round no longer takes the unit's answers, LinkReissued when
    the link the request came with was replaced meanwhile."""
    if not lock_for_save(invitation):
        raise LinkReissued()
    if not invitation.accepts_answers():
        raise RoundNotOpen()
    found = db.session.execute(_RESPONSE_ALONE, {"invitation_id": invitation.id})
    return found.scalar_one_or_none()


_UNREAD = object()


def save_answers(
    invitation: Invitation,
    answers: Answers,
    *,
    submit: bool,
    language: str,
    expected_version: int | None,
    submission_key: str | None,
    response: Response | None | object = _UNREAD,
) -> SaveOutcome:
    """Store a draft or a submission in one step, guarded by the version check.

    A draft lives in `Response.draft` only; `Answer` rows always hold the last
    submission, so results never see unsent edits. `response` is what
    `locked_response` returned, when the caller began the save itself.

    Raises VersionConflict when another save got in first, and RoundNotOpen after the
    deadline (unless the unit may answer late). A repeated submit with the same
    submission key stores nothing new.
    """
    if response is _UNREAD:
        response = locked_response(invitation)
    if response is None:
        if expected_version not in (None, 0):
            raise VersionConflict()
        response = Response(invitation_id=invitation.id, language=language)
        db.session.add(response)
    elif submit and submission_key and response.last_submission_key == submission_key:
        return SaveOutcome(response, submitted=True, duplicate=True)
    elif expected_version is not None and expected_version != response.version:
        raise VersionConflict()
    now = utcnow()
    values = {
        "language": language,
        "updated_at": now,
        "draft": None if submit else answers,
        "last_submission_key": submission_key if submit else response.last_submission_key,
    }
    if response.id is not None:
        if not update_response(response, **values):  # changed since it was read
            raise VersionConflict()
    else:
        for name, value in values.items():
            setattr(response, name, value)
        try:
            db.session.flush()
        except IntegrityError:  # another request created it first
            raise VersionConflict() from None
    # No savepoint: every caller rolls the whole save back on VersionConflict (a second
    # tab or a double click got in first).
    if submit:
        mark_submitted(invitation, now)
        store_submission(invitation, response.id, answers, language, now)
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


def mark_opened(invitation: Invitation) -> bool:
    """Record the first time the link was opened; whether this was it."""
    if invitation.first_opened_at is not None:
        return False
    invitation.first_opened_at = utcnow()
    return True


def record_first_open(invitation: Invitation) -> bool:
    """Record the first open of the link from the page view (a GET); whether this was it.

    Commits: the write runs in a transaction of its own (database.write_apart). Two
    first opens at once record the earlier one only."""
    if invitation.first_opened_at is not None:
        return False
    invitation_id = invitation.id  # read before write_apart expires it
    write_apart()
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.first_opened_at.is_(None))
        .values(first_opened_at=utcnow())
    )
    db.session.commit()
    return True
