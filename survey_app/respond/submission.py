"""What a respondent's save or submit does, decided in one place.

The view parses the request into a `Posted`; `take` checks the answers, merges them
with what the unit has already saved, stores a draft or a submission, and says what
happened as an `Outcome`, which the view turns into a page or a redirect. Only an
outcome with `stored` has anything to commit.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from wtforms import Form

from ..extensions import db
from ..models import Invitation
from ..models.definition import Item
from ..questionnaires.form_view import shown_values
from ..questionnaires.forms import answers_from_form
from . import services

# What happened, for the view:
CLOSED = "closed"  # the round takes no answers (any more): nothing stored
GONE = "gone"  # the link was re-issued while the post was under way: nothing stored
INVALID = "invalid"  # an answer is not one the form allows: the form again, with errors
MISSING = "missing"  # a submit without a required answer: the form again, with errors
SWITCHED = "switched"  # only the language changed: nothing to store
CONFLICT = "conflict"  # saved elsewhere since this form was loaded: the typed form again
SAVED = "saved"  # a draft was stored
SUBMITTED = "submitted"  # the answers were submitted (or this very submit already was)


@dataclass(frozen=True)
class Posted:
    action: str  # "save" or "submit"
    language: str
    form: Form  # built from the posted values, not yet validated
    version: int | None  # the response version the form was loaded at
    submission_key: str | None  # one per rendered form: a double click is one submit
    shown: set[str]  # the items the page showed (an unticked box clears its item)
    switch_to: str | None = None  # a language switch, which saves the page first


@dataclass(frozen=True)
class Outcome:
    kind: str
    stored: bool = False  # something to commit
    values: dict[str, list[str]] = field(default_factory=dict)  # what the form shows again
    version: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def problems(form: Form, items: list[Item], submit: bool) -> dict[str, list[str]]:
    """The messages per item that stop these answers from being taken: the form's own
    checks, then (for a submit) the required items left empty."""
    if not form.validate():
        return form.errors
    if not submit:
        return {}
    return _missing(services.missing_required(items, answers_from_form(form, items)))


def _missing(codes: list[str]) -> dict[str, list[str]]:
    return {code: [_("Answer this question before submitting.")] for code in codes}


def take(invitation: Invitation, posted: Posted) -> Outcome:
    """Store the posted page as a draft or a submission, or say why not."""
    items = invitation.round.items
    submit = posted.action == "submit"
    if not posted.form.validate():
        values = shown_values(posted.form, items)
        return Outcome(INVALID, values=values, version=posted.version, errors=posted.form.errors)
    try:
        response = services.locked_response(invitation)
    except services.RoundNotOpen:
        return Outcome(CLOSED)
    except services.LinkReissued:
        return Outcome(GONE)
    posted_answers = answers_from_form(posted.form, items)
    if posted.shown.issuperset(item.code for item in items) and not posted.switch_to:
        answers = posted_answers  # the page showed every item: nothing else to keep
    else:
        current = services.initial_answers(invitation, response)
        answers = services.merge_posted(current, posted_answers, posted.shown)
        if posted.switch_to and answers == current:
            return Outcome(SWITCHED)
    missing = services.missing_required(items, answers) if submit else []
    if missing:
        return Outcome(MISSING, values=answers, version=posted.version, errors=_missing(missing))
    try:
        saved = services.save_answers(
            invitation,
            answers,
            submit=submit,
            language=posted.language,
            expected_version=posted.version,
            submission_key=posted.submission_key,
            response=response,
        )
    except services.VersionConflict:
        return _conflict(invitation, posted, submit)
    return Outcome(SUBMITTED if saved.submitted else SAVED, stored=True)


def _conflict(invitation: Invitation, posted: Posted, submit: bool) -> Outcome:
    """Another save got in first. The attempt is abandoned, then the stored state is
    read afresh: this very submit may have landed already (a double click)."""
    db.session.rollback()
    if submit and services.was_submitted_with(invitation, posted.submission_key):
        return Outcome(SUBMITTED)
    response = services.response_of(invitation)
    version = response.version if response else 0
    items = invitation.round.items
    return Outcome(CONFLICT, values=shown_values(posted.form, items), version=version)
