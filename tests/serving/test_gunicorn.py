"""The Serving contract, end to end: gunicorn with 3 workers on PostgreSQL.

- A respondent's GET and POST may land on different workers: nothing lives in a
  worker's memory, so drafts and submissions work whichever worker answers.
- A PostgreSQL restart is survived without restarting gunicorn (pool_pre_ping): the
  first request on every worker afterwards succeeds, none fails.
- A worker killed with SIGKILL loses nothing that was acknowledged; gunicorn starts a
  new one and the service keeps answering.
- The link token never reaches gunicorn's access or error log.

Requests are steered with /proc: a client connection that has been accepted but not
yet sent a request keeps its (sync) worker busy, so the test can see which worker
renders a form and make sure the POST goes to another one.
"""

import http.client
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Response, SubmittedVersion
from tests.factories import make_invitation
from tests.helpers import form_fields

from .conftest import WORKERS, Gunicorn

HTTP_TIMEOUT = 10.0
TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)

pytestmark = pytest.mark.slow


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str


def describe(reply: Reply) -> str:
    """Status and page title, for assertion messages."""
    title = TITLE_RE.search(reply.text)
    return f"{reply.status} {title.group(1) if title else reply.text[:200]!r}"


@dataclass
class Browser:
    """A minimal browser: one cookie jar, one fresh connection per request, no redirects
    followed, and a Referer header that carries the link (as a careless client would),
    so the log check also covers the referrer field."""

    server: Gunicorn
    referer: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=HTTP_TIMEOUT)
        connection.connect()
        return connection

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        connection: http.client.HTTPConnection | None = None,
    ) -> Reply:
        connection = connection or self.connect()
        try:
            headers = {}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if self.referer:
                headers["Referer"] = self.referer
            body = None
            if form is not None:
                body = urlencode(form, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                if value:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return Reply(response.status, response.headers, text)
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Reply:
        return self.request("POST", path, form=form, **kwargs)

    def get_form(self, link: str) -> tuple[int, dict]:
        """GET the form; returns the worker that rendered it and the hidden fields."""
        with closing(self.connect()) as connection:
            worker = self.server.worker_holding(connection.sock)
            page = self.get(link, connection=connection)
        assert page.status == 200, describe(page)
        return worker, form_fields(page.text)

    @contextmanager
    def occupying(self, workers: set[int]) -> Iterator[None]:
        """Keep these workers busy with idle connections, so requests go to the others."""
        with ExitStack() as stack:
            held: set[int] = set()
            spare = []
            for _ in range(WORKERS):
                if held >= workers:
                    break
                connection = stack.enter_context(closing(self.connect()))
                worker = self.server.worker_holding(connection.sock)
                if worker in workers:
                    held.add(worker)
                else:
                    spare.append(connection)
            assert held >= workers, f"could not occupy {workers - held}"
            for connection in spare:  # the other workers read EOF and are free again
                connection.close()
            yield

    def get_on_every_worker(self, path: str) -> dict[int, Reply]:
        """One GET on each worker, by holding a connection to each before sending."""
        with ExitStack() as stack:
            connections = {}
            while len(connections) < WORKERS:
                connection = stack.enter_context(closing(self.connect()))
                worker = self.server.worker_holding(connection.sock)
                assert worker not in connections  # a sync worker holds one connection
                connections[worker] = connection
            return {
                worker: self.get(path, connection=connection)
                for worker, connection in connections.items()
            }


def save_draft(browser: Browser, link: str, **answers) -> tuple[int, Reply]:
    """GET the form on one worker, POST a draft on another; returns the POST's worker."""
    form_worker, fields = browser.get_form(link)
    with browser.occupying({form_worker}), closing(browser.connect()) as connection:
        post_worker = browser.server.worker_holding(connection.sock)
        saved = browser.post(link, {**fields, "action": "save", **answers}, connection=connection)
    assert post_worker != form_worker
    return post_worker, saved


def test_gunicorn_serves_the_contract(gunicorn, data_app, postgres):
    with data_app.app_context():
        invitation, link = make_invitation()
        invitation_id = invitation.id
        unit_name = invitation.unit.name
        db.session.remove()
    token = link.removeprefix("/r/")
    browser = Browser(gunicorn, referer=gunicorn.base_url + link)

    # Drafts: every POST lands on a different worker than the GET that made its form.
    for number in range(1, 4):
        _, saved = save_draft(browser, link, k1_1="planned", kehy_mission=f"Luonnos {number}")
        assert saved.status == 303, describe(saved)
        assert "saved=1" in saved.headers["Location"]
        page = browser.get(link)
        assert page.status == 200, describe(page)
        assert f"Luonnos {number}" in page.text
        assert 'value="planned" checked' in page.text
        assert unit_name in page.text

    # Every worker now holds a pooled database connection...
    replies = browser.get_on_every_worker(link)
    assert {reply.status for reply in replies.values()} == {200}
    workers = gunicorn.workers()
    assert gunicorn.workers_connected_to(postgres.port) == workers

    # ...which the restart breaks: fast shutdown ends every session.
    _, fields = browser.get_form(link)
    postgres.restart()
    assert gunicorn.workers_connected_to(postgres.port) == set()
    assert gunicorn.workers() == workers  # gunicorn itself was not restarted

    # The first request on each worker after the restart must succeed: a POST first,
    # then a GET on every worker (pool_pre_ping replaces the dead connections).
    submitted = browser.post(
        link, {**fields, "action": "submit", "k1_1": "yes", "kehy_mission": "Lähetetty"}
    )
    assert submitted.status == 303, describe(submitted)
    assert submitted.headers["Location"].endswith("/done")
    replies = browser.get_on_every_worker(link)
    assert {worker: reply.status for worker, reply in replies.items()} == dict.fromkeys(
        workers, 200
    )
    done = browser.get(link + "/done")
    assert done.status == 200, describe(done)
    assert "Kiitos" in done.text

    def stored_submission():
        with data_app.app_context():
            response = db.session.scalar(select(Response).filter_by(invitation_id=invitation_id))
            answers = dict(
                db.session.execute(
                    select(Answer.item_code, Answer.value).filter_by(response_id=response.id)
                ).all()
            )
            versions = db.session.scalars(
                select(SubmittedVersion.number).filter_by(response_id=response.id)
            ).all()
            status = "submitted" if response.invitation.submitted_at else "not submitted"
            db.session.remove()
        return status, answers, versions

    status, answers, versions = stored_submission()
    assert status == "submitted"
    assert answers["k1_1"] == "yes"
    assert answers["kehy_mission"] == "Lähetetty"
    assert versions == [1]

    # SIGKILL a worker while it holds a client connection: that client sees the
    # connection drop, nothing acknowledged is lost, and gunicorn replaces the worker.
    with closing(browser.connect()) as connection:
        victim = gunicorn.worker_holding(connection.sock)
        os.kill(victim, signal.SIGKILL)
        with pytest.raises(ConnectionError):
            browser.get(link, connection=connection)
    survivors = gunicorn.wait_for_workers(exclude={victim}, timeout=15)
    assert len(survivors & workers) == WORKERS - 1
    assert stored_submission() == (status, answers, versions)
    replies = browser.get_on_every_worker(link + "/done")
    assert set(replies) == survivors
    assert all(reply.status == 200 and "Kiitos" in reply.text for reply in replies.values())
    page = browser.get(link)
    assert page.status == 200 and 'value="yes" checked' in page.text

    # The token is in no log line; the requests were logged (with the token redacted).
    time.sleep(0.2)  # the access line is written after the response is sent
    log = gunicorn.log()
    assert f"Worker (pid:{victim}) was sent SIGKILL" in log
    assert token not in log
    assert log.count('"GET /r/[redacted] HTTP/1.1" 200') >= 10
    assert '"POST /r/[redacted] HTTP/1.1" 303' in log
    assert "Traceback" not in log, log


def test_twenty_submits_of_one_link_at_once_store_one_and_fail_none(gunicorn, data_app):
    """Twenty browser sessions load the form of one link, then all submit at the same
    moment (three workers take them in parallel): none answers 5xx, one submission is
    stored, and every other session gets the conflict page with its answers kept."""
    with data_app.app_context():
        invitation, link = make_invitation()
        invitation_id = invitation.id
        db.session.remove()
    browsers = [Browser(gunicorn) for _ in range(20)]
    forms = [browser.get_form(link)[1] for browser in browsers]
    start = threading.Barrier(len(browsers), timeout=30)
    replies: dict[int, Reply | BaseException] = {}

    def submit(number: int) -> None:
        answers = {"action": "submit", "k1_1": "yes", "kehy_mission": f"Versio {number}"}
        try:
            start.wait()
            replies[number] = browsers[number].post(link, {**forms[number], **answers})
        except BaseException as error:  # noqa: BLE001 - reported by the assertions
            replies[number] = error

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(
        reply.status if isinstance(reply, Reply) else repr(reply) for reply in replies.values()
    )
    assert statuses == [303] + [409] * 19, statuses
    done = [n for n, reply in replies.items() if reply.status == 303]
    assert replies[done[0]].headers["Location"].endswith("/done")
    for number, reply in replies.items():
        if reply.status == 409:
            assert f"Versio {number}" in reply.text  # the typed answer is kept
    with data_app.app_context():
        response = db.session.scalar(select(Response).filter_by(invitation_id=invitation_id))
        versions = db.session.scalars(
            select(SubmittedVersion.number).filter_by(response_id=response.id)
        ).all()
        mission = db.session.scalar(
            select(Answer.value).filter_by(response_id=response.id, item_code="kehy_mission")
        )
        db.session.remove()
    assert versions == [1]
    assert mission == f"Versio {done[0]}"
    assert "Traceback" not in gunicorn.log()
