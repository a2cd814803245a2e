"""A personal link's token never reaches a log line."""

import logging

from tests.factories import make_invitation


def test_request_log_lines_do_not_contain_the_token(client, db, caplog):
    _invitation, link = make_invitation()
    token = link.rsplit("/", 1)[1]
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('127.0.0.1 - - "%s %s HTTP/1.1" %s -', "GET", link, 200)
    assert caplog.records, "the log line was not emitted"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert "/r/[redacted]" in caplog.text


def test_error_log_does_not_contain_the_token(app, client, db, caplog):
    _invitation, link = make_invitation()
    token = link.rsplit("/", 1)[1]

    @app.before_request
    def explode():
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        page = client.get(link)
    assert page.status_code == 500
    assert "boom" not in page.get_data(as_text=True)  # no trace to the user
    assert caplog.records
    assert token not in caplog.text


def test_child_loggers_are_redacted_too(client, db, caplog):
    _invitation, link = make_invitation()
    token = link.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO):
        logging.getLogger("survey_app.some.child").info("opened %s", link)
    assert caplog.records
    assert token not in caplog.text
