"""The audit log in the reader's language. Entries are stored in English (actions,
targets and the names of the values they changed), so that they read the same in every
export and outlive a wording change; the page names them in its own language. An
action or value name this table does not know is shown as it was stored."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "add unit": _l("unit added"),
    "edit unit": _l("unit edited"),
    "deactivate unit": _l("unit deactivated"),
    "reactivate unit": _l("unit reactivated"),
    "delete unit": _l("unit deleted"),
    "import roster": _l("roster file imported"),
    "import: add unit": _l("roster file: unit added"),
    "import: edit unit": _l("roster file: unit edited"),
    "create round": _l("round created"),
    "open round": _l("round opened"),
    "close round": _l("round closed"),
    "extend deadline": _l("deadline extended"),
    "set reminder days": _l("automatic reminders changed"),
    "set email texts": _l("email texts changed"),
    "late answers": _l("late answers"),
    "send invitations": _l("invitations sent"),
    "remind": _l("reminders sent"),
    "change contact email": _l("contact email changed"),
    "resend invitation": _l("invitation sent again"),
    "send invitation": _l("invitation sent"),
    "re-issue link": _l("new link made"),
    "retry mail": _l("mail queued again"),
    "import past round": _l("past round imported"),
    "publish questionnaire": _l("questionnaire version published"),
}
VALUE_NAMES = {
    "name": _l("name"),
    "field": _l("field"),
    "status": _l("status"),
    "region": _l("region"),
    "municipality": _l("municipality"),
    "contact_name": _l("contact person"),
    "contact_email": _l("contact email"),
    "language": _l("language"),
    "deactivated": _l("deactivated"),
    "title": _l("title"),
    "deadline": _l("deadline"),
    "state": _l("state"),
    "questionnaires": _l("questionnaires"),
    "reminder_days": _l("automatic reminders (days before)"),
    "email_texts": _l("email texts"),
    "invitations_created": _l("links created"),
    "late_until": _l("may answer until"),
    "queued": _l("queued"),
    "skipped": _l("left out"),
    "to": _l("to"),
    "new": _l("new"),
    "changed": _l("changed"),
    "unchanged": _l("unchanged"),
    "file": _l("file"),
    "responses": _l("responses"),
    "closed_at": _l("closed"),
    "attempts": _l("attempts"),
    "answer": _l("server's answer"),
}
TARGETS = {
    "outbox message": _l("outbox message"),
    "outbox": _l("outbox"),
    "unit": _l("unit"),
    "round": _l("round"),
    "file": _l("file"),
    "to": _l("to"),
}
_TARGET_WORDS = re.compile(r"\b(" + "|".join(TARGETS) + r")\b")
STATES = {
    "draft": _l("draft"),
    "open": _l("open"),
    "closed": _l("closed"),
    "queued": _l("queued"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "bounced": _l("bounced"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def target_label(target: str) -> str:
    """ "round kevat: unit A1" → "kartoitus kevat: yksikkö A1": the words that say what
    a name is are translated, the names (codes, slugs, addresses) kept as stored."""
    return _TARGET_WORDS.sub(lambda match: str(TARGETS[match.group(1)]), target)


def value_label(name: str, value=None) -> str:
    """A value's name; "status" is a message's state when its value is one."""
    if name == "status" and value in STATES:
        name = "state"
    return str(VALUE_NAMES.get(name, name))


def value_text(name: str, value) -> str:
    """A changed value as the page shows it: yes/no, lists joined, a round's state
    translated. (A field, region or status is named by the template's `classified`.)"""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if name in ("state", "status") and value in STATES:
        return str(STATES[value])
    return str(value)
