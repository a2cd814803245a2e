"""Outbox tests: the app talks to a real SMTP server on a local port (the root conftest's
`smtp` sink), through `mail_app`."""

import pytest


@pytest.fixture
def app(mail_app):
    return mail_app
