"""Keeps personal link tokens out of every log line.

The token in `/r/<token>` is a credential; request logs (werkzeug's, gunicorn's) and
error logs would otherwise write it down.
"""

import logging
import re

from flask import Flask

TOKEN_IN_PATH = re.compile(r"/r/[A-Za-z0-9_-]+")
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "flask.app", "survey_app")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub("/r/[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactTokens()


def init_app(app: Flask) -> None:
    for name in (*LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
