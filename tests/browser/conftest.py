"""Browser fixtures: the app served over real HTTP, Debian's Chromium, axe-core from npm.

SQLite only: one migrated copy of the template database per session, served by a
werkzeug server in a thread on 127.0.0.1. Each test makes its own unit, round and
invitation, and its own browser context (fresh cookies, so no language choice leaks
from one test to the next).

Missing Chromium or axe-core is a failure, not a skip: CI installs both
(`apt-get install chromium`, `npm ci --prefix tests/browser`).
"""

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from survey_app.extensions import db
from tests.browser.helpers import WIDTHS
from tests.helpers import make_app

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path("/tmp/a11y-shots")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(WSGIRequestHandler):
    def log(self, *args, **kwargs):
        """No request log lines in the test output."""


@dataclass
class LiveServer:
    app: object
    url: str

    def session(self):
        """An app context for creating or changing data from the test."""
        return self.app.app_context()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is missing: {AXE_JS} does not exist. "
            "Install it with `npm ci --prefix tests/browser`.",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing: {CHROMIUM} does not exist. "
            "Install Debian's package with `apt-get install chromium` "
            "(the tests never download a browser).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@contextmanager
def serving(app) -> Iterator[LiveServer]:
    """`app` served over HTTP on 127.0.0.1 by a werkzeug server in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def copy_of_template(sqlite_template, tmp_path_factory, name: str):
    """An app on its own copy of the migrated template database."""
    path = tmp_path_factory.mktemp(name) / f"{name}.sqlite3"
    shutil.copy(sqlite_template, path)
    return make_app(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def live_server(sqlite_template, tmp_path_factory) -> Iterator[LiveServer]:
    with serving(copy_of_template(sqlite_template, tmp_path_factory, "browser")) as server:
        yield server


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def width(request) -> str:
    return request.param


@pytest.fixture
def page(browser, width):
    # The pages send a strict CSP (script-src 'self'); bypass it to inject axe.
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
