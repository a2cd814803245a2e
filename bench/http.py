"""The respondent's page under load: wrk against gunicorn (2 gthread workers, 4 threads
each, 32 connections) serving this service and, in the same run, the bare baseline
(bare_app.py), both on the bench's database."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from tests.pg_server import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-secret-key-for-gunicorn-0123456789abcdef"  # noqa: S105 (a throwaway bench server)
LATENCY_RE = re.compile(r"99%\s+([\d.]+)(us|ms|s)")
RATE_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
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
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


def wrk(port: int, paths: list[str], seconds: int) -> tuple[float, float]:
    """(requests per second, 99th percentile latency in seconds) of GETs over `paths`."""
    script = Path(tempfile.mkdtemp()) / "paths.lua"
    quoted = ",".join(f'"{path}"' for path in paths)
    script.write_text(
        f"local paths = {{{quoted}}}\n"
        "request = function()\n"
        "  return wrk.format('GET', paths[math.random(#paths)])\n"
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
        check=True,
    )
    rate = float(RATE_RE.search(result.stdout).group(1))
    value, unit = LATENCY_RE.search(result.stdout).groups()
    return rate, float(value) * UNITS[unit]


def respondent_get(database_url: str, paths: list[str], seconds: int, rounds: int = 3) -> dict:
    """{name: (requests per second, p99 seconds)} for this service and the bare app:
    both served at once and measured in turns (the medians of `rounds` turns each), so
    that a slower minute of a shared machine falls on both alike."""
    targets = {"ours": "survey_app:create_app()", "bare": "bench.bare_app:create()"}
    servers = {name: serve(target, database_url) for name, target in targets.items()}
    try:
        for _process, port in servers.values():
            wrk(port, paths, 2)  # warm up: pools, caches, the first opens of the links
        turns = {name: [] for name in servers}
        for _turn in range(rounds):
            for name, (_process, port) in servers.items():
                turns[name].append(wrk(port, paths, max(1, seconds // rounds)))
        return {
            name: (median(rate for rate, _p99 in runs), median(p99 for _rate, p99 in runs))
            for name, runs in turns.items()
        }
    finally:
        for process, _port in servers.values():
            process.terminate()
            process.wait(timeout=10)
