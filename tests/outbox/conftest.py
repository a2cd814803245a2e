"""Outbox tests: the app talks to a real SMTP server on a local port."""

import pytest

from survey_app.extensions import db as _db
from tests.conftest import make_app
from tests.smtp_sink import SmtpSink


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def mail_settings(smtp) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_DEFAULT_SENDER": "kartoitus@kehy.example.fi",
        "OUTBOX_BACKOFF_SECONDS": 0.01,
        "OUTBOX_BACKOFF_MAX_SECONDS": 0.05,
    }


@pytest.fixture
def app(database_url, smtp):
    app = make_app(database_url, **mail_settings(smtp))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()
