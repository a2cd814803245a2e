"""Keeps link tokens out of every log line.

The token in a respondent's `/r/<token>` and in an admin's
`/admin/password/reset/<token>` is a credential; request logs (werkzeug's, gunicorn's),
error logs and any logger of ours would otherwise write it down. The redaction lives
in the log record itself, so it holds for every logger, child logger and handler in
the process, and a malformed log call fails the way logging always reports it.
"""

import logging
import re

from flask import Flask


def _spelled(path: str) -> str:
    """A pattern for `path` with any of its characters percent-encoded, as a request
    line may carry it (the router decodes `/%72/` to `/r/`)."""
    return "".join(f"(?:{re.escape(c)}|(?i:%{ord(c):02x}))" for c in path)


# Tokens are base64url (survey_app/tokens.py); a malformed or percent-encoded one is
# redacted all the same.
TOKEN_IN_PATH = re.compile(
    f"({_spelled('/r/')}|{_spelled('/admin/password/reset/')})"
    r"(?:[A-Za-z0-9_-]|%[0-9A-Fa-f]{2})+"
)


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactingLogRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 (logging's own name)
        return redact(super().getMessage())


def init_app(app: Flask) -> None:
    current = logging.getLogRecordFactory()
    if current is RedactingLogRecord or getattr(current, "redacts_tokens", False):
        return
    if current is logging.LogRecord:
        logging.setLogRecordFactory(RedactingLogRecord)
        return

    def make_record(*args, **kwargs):
        """Another factory was installed first: keep it, and redact what it made."""
        record = current(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), None
        except Exception:  # noqa: BLE001, S110 - left for logging to report at emit
            pass
        return record

    make_record.redacts_tokens = True
    logging.setLogRecordFactory(make_record)
