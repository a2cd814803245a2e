"""The audit log in the reader's language. Entries are stored in English (actions,
targets and the names of the values they changed), so that they read the same in every
export and outlive a wording change; the page names them in its own language. An
action or value name this table does not know is shown as it was stored."""

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
    "retry mail": _l("mail queued again"),
    "import past round": _l("past round imported"),
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
}
TARGETS = {
    "unit": _l("unit"),
    "round": _l("round"),
    "file": _l("file"),
    "outbox": _l("outbox"),
}
STATES = {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed"), "queued": _l("queued")}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def target_label(target: str) -> str:
    """ "unit A1" → "yksikkö A1": the first word translated, the rest as stored."""
    word, space, rest = target.partition(" ")
    return f"{TARGETS[word]}{space}{rest}" if word in TARGETS else target


def value_label(name: str) -> str:
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
    if name == "state" and value in STATES:
        return str(STATES[value])
    return str(value)
