"""Refusals said in the admin's language: services raise errors with a machine `code`
(their English text is for the command line), and the web shows the message for it."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "round_not_open": _l("The round is not open."),
    "round_closed": _l("The round is closed."),
    "already_submitted": _l("The unit has already submitted its answers."),
    "no_invitation": _l("The unit has no invitation in this round."),
    "invalid_email": _l("The email address is not valid."),
    "not_failed": _l("Only a failed message can be queued again."),
}
UNKNOWN = _l("The action was refused.")


def message_for(error: Exception) -> str:
    """The translated reason for a refusal, never the service's English text."""
    reason = MESSAGES.get(getattr(error, "code", None), UNKNOWN)
    return _("Not done: %(reason)s", reason=str(reason))
