"""The round's own email texts on the round pages: a subject and a body per kind of
message and language, checked with messages in the admin's language (the stored form
is checked again by `outbox.overrides`)."""

import difflib
import string

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..invitations.email_texts import (
    BODY_MAX,
    KINDS,
    LANGUAGES,
    PLACEHOLDERS,
    SUBJECT_MAX,
    EmailTextError,
    check_email_text,
)
from ..models import Round
from .services import EmailTexts

KIND_NAMES = {"invitation": _l("Invitation"), "reminder": _l("Reminder")}
LANGUAGE_NAMES = {"fi": _l("Finnish"), "sv": _l("Swedish"), "en": _l("English")}
KNOWN_PLACEHOLDERS = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def email_text_fields(cls):
    """A subject and a body for each kind of message and language (empty: the standard
    text), added to the form class as `<kind>_<language>_subject` / `_body`."""
    for kind in KINDS:
        for language in LANGUAGES:
            names = {"kind": KIND_NAMES[kind], "language": LANGUAGE_NAMES[language]}
            setattr(
                cls,
                f"{kind}_{language}_subject",
                StringField(
                    _l("%(kind)s subject in %(language)s", **names),
                    validators=[Optional(), Length(max=SUBJECT_MAX)],
                ),
            )
            setattr(
                cls,
                f"{kind}_{language}_body",
                TextAreaField(
                    _l("%(kind)s text in %(language)s", **names),
                    validators=[Optional(), Length(max=BODY_MAX)],
                ),
            )
    return cls


def email_text_pairs(form):
    """(kind, language, subject field, body field) in page order."""
    for kind in KINDS:
        for language in LANGUAGES:
            yield (
                kind,
                language,
                form[f"{kind}_{language}_subject"],
                form[f"{kind}_{language}_body"],
            )


def check_email_texts(form) -> EmailTexts | None:
    """Each pair as {"subject", "body"}, or None where both are empty; None for the
    whole when any is wrong (errors on the fields)."""
    texts: EmailTexts = {}
    ok = True
    for kind, language, subject, body in email_text_pairs(form):
        subject_text, body_text = (subject.data or "").strip(), (body.data or "").strip()
        if subject.errors or body.errors:
            ok = False
            continue
        if not subject_text and not body_text:
            texts[(kind, language)] = None
            continue
        if not subject_text or not body_text:
            (body if subject_text else subject).errors.append(
                _("Give both the subject and the text, or neither (the standard text).")
            )
            ok = False
            continue
        problem = _email_text_problem(subject_text, body_text)
        if problem:
            field, message = problem
            (subject if field == "subject" else body).errors.append(message)
            ok = False
            continue
        texts[(kind, language)] = {"subject": subject.data, "body": body.data}
    return texts if ok else None


def _email_text_problem(subject: str, body: str) -> tuple[str, str] | None:
    """("subject" or "body", message) for the first thing wrong with the text."""
    for where, text in (("subject", subject), ("body", body)):
        try:
            names = [field for _lit, field, _s, _c in string.Formatter().parse(text) if field]
        except ValueError:
            names = []  # malformed: check_email_text below names the place
        for name in names:
            if name not in PLACEHOLDERS:
                message = _(
                    "Unknown placeholder {%(name)s}. You can use %(known)s.",
                    name=name,
                    known=KNOWN_PLACEHOLDERS,
                )
                close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
                if close:
                    message += " " + _("Did you mean {%(name)s}?", name=close[0])
                return where, message
        if where == "subject" and "link" in names:
            return where, _("{link} belongs in the text, not in the subject.")
    try:
        check_email_text(subject, body)
    except EmailTextError as error:
        where = "subject" if str(error).startswith("subject") else "body"
        if "{link} is missing" in str(error):
            return where, _("The text must contain {link}: the unit's personal link.")
        if "control character" in str(error):
            return where, _("Remove the control characters from the text.")
        return where, _("Check the braces: %(reason)s", reason=str(error))
    return None


def email_texts_data(round_: Round | None) -> dict[str, str]:
    """The round's own texts as form data (empty where it uses the standard text)."""
    data = {}
    for kind, languages in ((round_.email_texts or {}) if round_ else {}).items():
        for language, text in languages.items():
            data[f"{kind}_{language}_subject"] = text.get("subject", "")
            data[f"{kind}_{language}_body"] = text.get("body", "")
    return data
