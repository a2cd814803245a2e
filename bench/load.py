"""The respondent's page under load: wrk against gunicorn (2 gthread workers, 4 threads
each, 32 connections) serving this service and, in the same run, the bare baseline
(bare_app.py), both on the bench's database. (Not named http.py: that would hide the
standard library's `http` from the scripts run in this folder.)"""

import html
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

from bench.bare_app import shipped_items
from tests.pg_server import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-secret-key-for-gunicorn-0123456789abcdef"  # noqa: S105 (a throwaway bench server)
LATENCY_RE = re.compile(r"99%\s+([\d.]+)(us|ms|s)")
RATE_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
ERRORS_RE = re.compile(r"Non-2xx or 3xx responses: (\d+)|(?:connect|read|write|timeout) (\d+)")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def serve(target: str, database_url: str):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SURVEY_APP_ENV": "production",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # Ready when a worker answers, not when the socket accepts: gunicorn's master
    # listens before its workers have imported the app (slow on a busy machine).
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return process, port
        except (OSError, http.client.HTTPException):
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def _lua(value) -> str:
    """A Lua literal of a string, a dict of strings or a list of those."""
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid Lua string here (ASCII, escaped)
    if isinstance(value, dict):
        return "{" + ",".join(f"[{_lua(k)}]={_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ",".join(_lua(item) for item in value) + "}"


def wrk(port: int, requests: list[Request], seconds: int) -> tuple[float, float, int]:
    """(requests per second, 99th percentile latency in seconds, failed requests) of
    `requests`, each connection sending one chosen at random each time. A failure is an
    answer but 2xx or 3xx, or a socket error (a request over 2 s times out): a fast
    error is not a fast page."""
    script = Path(tempfile.mkdtemp()) / "requests.lua"
    table = [[r.method, r.path, r.headers, r.body] for r in requests]
    script.write_text(
        f"local requests = {_lua(table)}\n"
        "request = function()\n"
        "  local r = requests[math.random(#requests)]\n"
        "  return wrk.format(r[1], r[2], r[3], r[4])\n"
        "end\n"
    )
    result = subprocess.run(  # noqa: S603
        [  # noqa: S607 (wrk from PATH, installed by .ci/test)
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout}{result.stderr}")
    failed = sum(int(a or b) for a, b in ERRORS_RE.findall(result.stdout))
    rate = float(RATE_RE.search(result.stdout).group(1))
    value, unit = LATENCY_RE.search(result.stdout).groups()
    return rate, float(value) * UNITS[unit], failed


def respondent_load(
    database_url: str, paths: list[str], seconds: int, post: bool, rounds: int = 3
) -> dict:
    """{name: (requests per second, p99 seconds, failed)} of the respondent's GET (or submit)
    for this service and the bare app: both served at once and measured in turns (the
    medians of `rounds` turns each), so that a slower minute of a shared machine falls
    on both alike."""
    targets = {"ours": "survey_app:create_app()", "bare": "bench.bare_app:create()"}
    servers = {name: serve(target, database_url) for name, target in targets.items()}
    try:
        loads = {}
        for name, (_process, port) in servers.items():
            gets = [Request("GET", path) for path in paths]
            open_each(port, paths)  # the first opens (the one visit that writes) first
            wrk(port, gets, 2)  # warm up: pools, caches
            loads[name] = [submit_of(port, path) for path in paths] if post else gets
        turns = {name: [] for name in servers}
        for _turn in range(rounds):
            for name, (_process, port) in servers.items():
                turns[name].append(wrk(port, loads[name], max(1, seconds // rounds)))
        return {
            name: (
                median(rate for rate, _p99, _failed in runs),
                median(p99 for _rate, p99, _failed in runs),
                sum(failed for _rate, _p99, failed in runs),
            )
            for name, runs in turns.items()
        }
    finally:
        for process, _port in servers.values():
            process.terminate()
            process.wait(timeout=10)


def open_each(port: int, paths: list[str], connections: int = 8) -> None:
    """Visit every link once, before the measured turns. A link's first visit records
    when it was opened (the only visit that writes); in a turn of random visits it would
    fall on whichever turn met the link first, so the turns would time a changing mix of
    first and later visits. The measure is the page as a unit sees it on every visit
    after its first one, as the bare app's (which writes nothing)."""

    def visit(share: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in share:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"a link's first visit answered {response.status}")
        connection.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(visit, [paths[n::connections] for n in range(connections)]))


def submit_of(port: int, path: str) -> Request:
    """A submit of every item of the form at `path`, as a browser would send it after
    loading the page: with its session cookie and CSRF token (when the page has one),
    but without the page's response version and submission key, so that each repeat is
    a submission stored anew (as the bare app stores it), not a double click answered
    from what is already stored."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    connection.close()
    fields = [(item["code"], _answer(item)) for item in shipped_items()]
    fields.append(("action", "submit"))
    if token := CSRF_RE.search(page):
        fields.append(("csrf_token", html.unescape(token.group(1))))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    return Request("POST", path, headers, urlencode(fields))


def _answer(item: dict) -> str:
    return item["options"][0][0] if item["options"] else "Vastaus, jossa on pilkku, ja toinen"
