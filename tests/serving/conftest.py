"""Serving fixtures: the app under a real gunicorn (3 sync workers) on PostgreSQL.

gunicorn runs `survey_app:create_app()` exactly as in production: configured only by
the environment (DATABASE_URL, SECRET_KEY, BASE_URL, SURVEY_APP_ENV=production), its
access and error logs captured to one file. Which worker holds which connection is
read from /proc, so a test can steer requests to a chosen worker.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from survey_app.extensions import db
from tests.helpers import make_app
from tests.pg_server import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "serving-test-secret-key-not-for-production"
WORKERS = 3
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
TCP_ESTABLISHED = "01"


def tcp_connections() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every IPv4 TCP socket."""
    rows = []
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            rows.append(
                (int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16), state, inode)
            )
    return rows


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return inodes
    for name in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def children_of(pid: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children.update(int(child) for child in task.read_text().split())
        except FileNotFoundError:
            continue
    return children


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log_path: Path
    database_url: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> set[int]:
        return children_of(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def assert_running(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")

    def wait_for_workers(
        self,
        count: int = WORKERS,
        exclude: set[int] = frozenset(),
        timeout: float = STARTUP_TIMEOUT,
    ) -> set[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_running()
            workers = self.workers()
            if len(workers) == count and not workers & exclude:
                return workers
            time.sleep(0.05)
        raise TimeoutError(f"gunicorn did not get {count} workers:\n{self.log()}")

    def worker_holding(self, connection: socket.socket, timeout: float = 10.0) -> int:
        """The worker that accepted this client connection (waits until one has)."""
        client_port = connection.getsockname()[1]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_running()
            inodes = {
                inode
                for local, remote, _state, inode in tcp_connections()
                if local == self.port and remote == client_port and inode
            }
            if inodes:
                for worker in self.workers():
                    if socket_inodes(worker) & inodes:
                        return worker
            time.sleep(0.02)
        raise TimeoutError(f"no gunicorn worker accepted the connection from :{client_port}")

    def workers_connected_to(self, port: int) -> set[int]:
        """Workers holding an established TCP connection to this port (the database)."""
        inodes = {
            inode
            for _local, remote, state, inode in tcp_connections()
            if remote == port and state == TCP_ESTABLISHED
        }
        return {worker for worker in self.workers() if socket_inodes(worker) & inodes}


def _wait_until_serving(server: Gunicorn) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        server.assert_running()
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", server.port)) == 0:
                server.wait_for_workers(timeout=max(deadline - time.monotonic(), 0.1))
                return
        time.sleep(0.05)
    raise TimeoutError(f"gunicorn is not listening on {server.port}:\n{server.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # graceful shutdown
        try:
            process.wait(timeout=STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            pass
        # gunicorn runs in its own session: its process group is the master and workers.
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def serving_database(postgres) -> str:
    """A fresh, migrated PostgreSQL database of its own."""
    if postgres is None:
        pytest.skip("the serving tests need PostgreSQL (SURVEY_TEST_DATABASES=postgresql)")
    from flask_migrate import upgrade

    url = postgres.create_database(f"serving_{uuid.uuid4().hex[:12]}")
    app = make_app(url, SECRET_KEY=SECRET_KEY)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def data_app(serving_database):
    """The app as the test's side door to the database gunicorn serves.

    Same SECRET_KEY as gunicorn, so the links it prints are the ones gunicorn opens.
    """
    app = make_app(serving_database, SECRET_KEY=SECRET_KEY)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def gunicorn(serving_database, tmp_path) -> Iterator[Gunicorn]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": serving_database,
        "SECRET_KEY": SECRET_KEY,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SURVEY_APP_ENV": "production",
    }
    for name in ("SECRET_KEY_FALLBACKS", "TEST_DATABASE_URL", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "survey_app:create_app()",
    ]
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(process=process, port=port, log_path=log_path, database_url=serving_database)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        _stop(process)
