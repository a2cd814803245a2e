"""A round's own email texts: subject and body of its invitations and reminders.

Stored on `Round.email_texts` as {kind: {language: {"subject": ..., "body": ...}}}. The
texts are plain text with placeholders in `str.format` syntax, names only:
{unit_name}, {contact_name}, {round_title}, {deadline}, {link}. They are checked when
saved (unknown and malformed placeholders are refused, and a body must carry {link}).
At send time an override replaces the template's subject and text part; the HTML part
is the escaped text, paragraphs and line breaks kept, the link made clickable.
"""

import difflib
import re
import string

from flask import current_app, render_template
from markupsafe import Markup

from ..formatting import local_datetime
from ..models import Round

KINDS = ("invitation", "reminder")
LANGUAGES = ("fi", "sv", "en")
PLACEHOLDERS = ("unit_name", "contact_name", "round_title", "deadline", "link")
SUBJECT_MAX = 200
BODY_MAX = 20_000

_formatter = string.Formatter()
_REASONS = {
    "Single '{' encountered in format string": "a lone '{'",
    "Single '}' encountered in format string": "a lone '}'",
    "expected '}' before end of string": "a '{' that is never closed",
    "unexpected '{' in field name": "a '{' inside a placeholder",
}
_KNOWN = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


class EmailTextError(ValueError):
    pass


def placeholders_in(text: str, where: str) -> list[str]:
    """The placeholder names used in `text`; EmailTextError naming the first unknown or
    malformed one (`where` says which text, e.g. "body")."""
    try:
        parts = list(_formatter.parse(text))
    except ValueError as error:
        reason = _REASONS.get(str(error), str(error))
        raise EmailTextError(
            f"{where}: malformed placeholder{_near(text)}: {reason} "
            "(write {{ or }} for a literal brace)"
        ) from None
    names = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        shown = (
            "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        )
        shown += "}"
        if field == "" or field.isdigit() or re.search(r"[.\[\]]", field):
            raise EmailTextError(
                f"{where}: malformed placeholder {shown}: use a name alone, one of {_KNOWN}"
            )
        if field not in PLACEHOLDERS:
            close = difflib.get_close_matches(field, PLACEHOLDERS, n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            raise EmailTextError(f"{where}: unknown placeholder {shown}{hint}; known: {_KNOWN}")
        if spec or conversion:
            raise EmailTextError(
                f"{where}: malformed placeholder {shown}: no format or conversion, "
                f"write {{{field}}}"
            )
        names.append(field)
    return names


def _near(text: str) -> str:
    """Where the first stray brace is, as a quoted excerpt (or nothing if not found)."""
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char in "{}" and text[index + 1 : index + 2] == char:
            index += 2
            continue
        if char == "}":
            break
        if char == "{":
            end, inner = text.find("}", index), text.find("{", index + 1)
            if end == -1 or -1 < inner < end:
                break
            index = end + 1
            continue
        index += 1
    else:
        return ""
    excerpt = text[max(0, index - 20) : index + 20].replace("\n", " ")
    return f" near {excerpt!r}"


def check_email_text(subject: str, body: str) -> dict[str, str]:
    """A subject and body fit to store (trimmed, line ends made \\n), or EmailTextError."""
    subject = subject.strip()
    if not subject:
        raise EmailTextError("subject: must not be empty")
    if "\n" in subject or "\r" in subject:
        raise EmailTextError("subject: must be one line")
    if _has_control(subject, allowed=""):
        raise EmailTextError("subject: a control character is not allowed")
    if len(subject) > SUBJECT_MAX:
        raise EmailTextError(f"subject: at most {SUBJECT_MAX} characters")
    if "link" in placeholders_in(subject, "subject"):
        raise EmailTextError("subject: {link} belongs in the body, not in the subject")
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise EmailTextError("body: must not be empty")
    if _has_control(body, allowed="\n\t"):
        raise EmailTextError("body: a control character is not allowed")
    if len(body) > BODY_MAX:
        raise EmailTextError(f"body: at most {BODY_MAX} characters")
    if "link" not in placeholders_in(body, "body"):
        raise EmailTextError(
            "body: {link} is missing; the message is there to carry the unit's personal link"
        )
    return {"subject": subject, "body": body}


def _has_control(text: str, allowed: str) -> bool:
    """A control character (NUL and the like, which no mail should carry and PostgreSQL
    refuses to store) other than those `allowed`."""
    return any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in text)


def set_email_text(round_: Round, kind: str, language: str, subject: str, body: str) -> None:
    _check_kind_and_language(kind, language)
    texts = {k: dict(v) for k, v in (round_.email_texts or {}).items()}
    texts.setdefault(kind, {})[language] = check_email_text(subject, body)
    round_.email_texts = texts  # a new object, so the JSON column sees the change


def clear_email_text(round_: Round, kind: str, language: str) -> bool:
    """Go back to the standard text; False if the round had no text of its own."""
    _check_kind_and_language(kind, language)
    texts = {k: dict(v) for k, v in (round_.email_texts or {}).items()}
    if texts.get(kind, {}).pop(language, None) is None:
        return False
    round_.email_texts = {k: v for k, v in texts.items() if v} or None
    return True


def _check_kind_and_language(kind: str, language: str) -> None:
    if kind not in KINDS:
        raise EmailTextError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    if language not in LANGUAGES:
        raise EmailTextError(f"language: {language!r} is not one of {', '.join(LANGUAGES)}")


def email_text_for(round_: Round, kind: str, language: str) -> dict[str, str] | None:
    """The round's own text for this kind and language, if it has a usable one."""
    if kind not in KINDS:
        return None
    text = ((round_.email_texts or {}).get(kind) or {}).get(language)
    if not text:
        return None
    try:
        return check_email_text(text.get("subject", ""), text.get("body", ""))
    except EmailTextError as error:  # stored by other means than the command: not used
        current_app.logger.warning(
            "Round %s: %s text (%s) not used: %s", round_.slug, kind, language, error
        )
        return None


def render_email_text(text: dict[str, str], context: dict) -> tuple[str, str, str]:
    """(subject, text part, HTML part) of an override, in the active locale; `context`
    is the one the email templates get."""
    unit = context["unit"]
    values = {
        "unit_name": unit.name,
        "contact_name": unit.contact_name or unit.name,
        "round_title": context["round_title"],
        "deadline": local_datetime(context["round"].deadline),
        "link": context["link"],
    }
    subject = text["subject"].format_map(values)
    body = text["body"].format_map(values)
    html = render_template("email/override.html", body_html=_html(text["body"], values), **context)
    signature = render_template("email/_sender.txt", **context)
    return subject, f"{body}\n\n{signature}\n", html


def _html(body: str, values: dict[str, str]) -> Markup:
    """The body escaped, the link an <a>, blank lines paragraphs, line ends <br>."""
    paragraphs = [
        Markup("<p>{}</p>").format(
            Markup("<br>\n").join(_html_line(line, values) for line in paragraph.split("\n"))
        )
        for paragraph in re.split(r"\n[ \t]*\n\s*", body)
    ]
    return Markup("\n").join(paragraphs)


def _html_line(line: str, values: dict[str, str]) -> Markup:
    # A placeholder never spans lines (a name with a line break in it is refused).
    html = Markup()
    for literal, field, _spec, _conversion in _formatter.parse(line):
        html += literal  # Markup + str escapes the str
        if field == "link":
            html += Markup('<a href="{0}">{0}</a>').format(values["link"])
        elif field is not None:
            html += values[field]
    return html
