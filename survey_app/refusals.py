"""Refusals: a service says no with a `Refused` error carrying a machine `code` (its
English text is for the command line), and the web says the message for that code in
the admin's language. `UnitNotVisible` is the other no: a unit outside the admin's
region, answered like one that does not exist (404)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class Refused(ValueError):
    """A refused change: `str(error)` for the command line, `code` for the pages."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


class UnitNotVisible(LookupError):
    """A unit outside the admin's region, one that does not exist, or a deactivated
    one: all are answered alike, with a 404."""


MESSAGES = {
    "round_not_open": _l("The round is not open."),
    "round_closed": _l("The round is closed."),
    "already_submitted": _l("The unit has already submitted its answers."),
    "no_invitation": _l("The unit has no invitation in this round."),
    "invalid_email": _l("The email address is not valid."),
    "not_failed": _l("Only a failed message can be queued again."),
    "no_round": _l("There is no such round."),
    "slug_invalid": _l("Use only lowercase letters a–z, digits and hyphens (not first)."),
    "slug_reserved": _l("The short name is reserved. Choose another."),
    "slug_taken": _l("A round with this short name exists already. Choose another."),
    "title_invalid": _l("Write the title on one line, at most 300 characters."),
    "questionnaire_unknown": _l("Choose at least one questionnaire."),
    "questionnaire_twice": _l("Choose one version of each questionnaire."),
    "questionnaire_unchanged": _l(
        "The file asks exactly what the newest version asks: there is nothing to publish."
    ),
    "questionnaire_changed": _l(
        "A questionnaire file was changed without a new version number. Ask the "
        "maintainers to raise its version."
    ),
    "reminder_days": _l("The reminder days must be whole days from 1 to 365."),
    "email_text": _l("Check the email texts: a placeholder is wrong or {link} is missing."),
    "in_past": _l("The time must be in the future."),
    "too_far_ahead": _l("The time is too far ahead."),
    "not_draft": _l("Only a draft round can be opened."),
    "deadline_passed": _l("The deadline has passed. Extend it before opening."),
    "closed_already": _l("The round is closed already."),
    "closed_deadline": _l("The round was closed; its deadline can no longer change."),
    "closed_reminders": _l("The round is closed; its reminders can no longer change."),
    "closed_texts": _l("The round is closed; its email texts can no longer change."),
    "deadline_not_later": _l("The new deadline must be later than the current one."),
    "late_not_open": _l("Units can answer late only in an open round."),
    "late_before_deadline": _l("The unit may answer late only until a time after the deadline."),
    "changed_meanwhile": _l(
        "Someone changed the same thing at the same moment. Load the page again and check."
    ),
    "late_too_far": _l(
        "That is too long after the deadline: the unit's link stops working before it."
    ),
}
UNKNOWN = _l("The action was refused.")


def reason_for(error: Exception) -> str:
    """The translated reason for a refusal, never the service's English text (for a
    page that says "Not done" in its own heading)."""
    return str(MESSAGES.get(getattr(error, "code", None), UNKNOWN))


def message_for(error: Exception) -> str:
    """The reason as a message of its own (flashed)."""
    return _("Not done: %(reason)s", reason=reason_for(error))
