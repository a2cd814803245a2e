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


def test_a_password_reset_token_is_redacted_in_the_servers_request_log(app, db, runner, caplog):
    """A real request to the reset page through werkzeug's server: its access log line
    (and a referer holding the link) names the page, never the token."""
    import threading
    import urllib.request
    from urllib.parse import urlsplit

    from werkzeug.serving import make_server

    from survey_app.auth.password_reset import link_for, request_reset
    from tests.helpers import create

    create(runner, "paa@example.fi", "--role", "national")
    link = link_for(request_reset("paa@example.fi", "fi"))
    db.session.commit()
    db.session.close()  # the server's thread uses the database now
    path = urlsplit(link).path
    token = path.rsplit("/", 1)[1]
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            with opener.open(f"http://127.0.0.1:{server.port}{path}") as response:
                assert response.status == 200
            logging.getLogger("werkzeug").info('"GET /admin/ HTTP/1.1" 200 - referer %s', link)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    lines = [record.getMessage() for record in caplog.records]
    assert any("GET /admin/password/reset/[redacted] HTTP/1.1" in line for line in lines), lines
    assert any("referer http://localhost/admin/password/reset/[redacted]" in line for line in lines)
    assert all(token not in line for line in lines)
    assert token not in caplog.text


def test_a_malformed_reset_token_is_redacted_too(app, caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info("GET %s", "/admin/password/reset/abc-DEF_1?x=1")
    assert caplog.records[-1].getMessage() == "GET /admin/password/reset/[redacted]?x=1"


def test_a_percent_encoded_path_is_redacted_too(client, db, caplog):
    """The router decodes `/%72/` to `/r/`, so a request line may spell the path (or the
    token) with escapes; the token is redacted however it is spelt."""
    _invitation, link = make_invitation()
    token = link.rsplit("/", 1)[1]
    spellings = [
        f"/%72/{token}",
        f"/r/{token[:4]}%{ord(token[4]):02X}{token[5:]}",
        f"/r%2F{token}",
        f"/%61dmin/password/reset/{token}",
    ]
    assert client.get(spellings[0]).status_code == 200  # the router takes it as the link
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in spellings:
            logger.info('127.0.0.1 - - "GET %s HTTP/1.1" 200 -', path)
    assert len(caplog.records) == len(spellings)
    for record in caplog.records:
        message = record.getMessage()
        assert token not in message and token[5:] not in message, message
        assert "[redacted]" in message
