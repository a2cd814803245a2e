"""The service's speed at national scale, each measure beside a baseline measured in the
same run (absolute times on a shared machine mean little; ratios do).

    python -m bench                 # 20,000 units on SQLite and a throwaway PostgreSQL
    python -m bench --units 100000  # the issue's national scale
    python -m bench --quick         # small sizes: what CI runs so the bench never rots
    python -m bench --databases sqlite --only invitations,outbox

Prints one table (measure, ours, baseline, ratio, target, pass) per database and writes
it, with the machine's description, to bench/RESULTS.md. Not a test: nothing is asserted.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import measures  # noqa: E402
from bench.dataset import build  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FINDINGS = Path(__file__).resolve().parent / "findings.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    parser.add_argument(
        "--databases", default=os.environ.get("SURVEY_TEST_DATABASES", "sqlite,postgresql")
    )
    parser.add_argument("--only", default="", help="comma-separated measure names")
    args = parser.parse_args()
    units = 300 if args.quick else args.units
    chosen = [name for name in args.only.split(",") if name] or list(measures.MEASURES)
    tables = []
    for database in args.databases.split(","):
        with database_url(database) as url:
            app = create_app(
                {
                    "ENV_NAME": "testing",
                    "SQLALCHEMY_DATABASE_URI": url,
                    "BASE_URL": "http://localhost",
                }
            )
            with app.app_context():
                from flask_migrate import upgrade

                upgrade()
                started = time.perf_counter()
                dataset = build(units)
                built = time.perf_counter() - started
                rows = [measures.MEASURES[name](app, dataset) for name in chosen]
                db.session.remove()
                db.engine.dispose()
        tables.append(render(database, units, built, rows))
        print(tables[-1], flush=True)
    if not args.only:  # a partial run leaves the full table in RESULTS.md as it was
        write_results(tables, args)


class database_url:
    """A throwaway database: an SQLite file, or a PostgreSQL server of its own."""

    def __init__(self, name: str):
        self.name = name
        self.server = None

    def __enter__(self) -> str:
        if self.name == "sqlite":
            folder = tempfile.mkdtemp(prefix="survey-bench-")
            return f"sqlite:///{folder}/bench.sqlite3"
        from tests.pg_server import PostgresServer

        self.server = PostgresServer()
        self.server.start()
        return self.server.create_database("bench")

    def __exit__(self, *exc_info):
        if self.server is not None:
            self.server.destroy()


def render(database: str, units: int, built: float, rows: list) -> str:
    lines = [
        f"### {database}: {units:,} units (dataset built in {built:.1f} s)",
        "",
        "| measure | ours | baseline | ratio | target | pass |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {row.ours} | {row.baseline} | {row.ratio} | {row.target} | "
            f"{'yes' if row.passed else 'NO'} |"
        )
    notes = [f"- {row.name}: {row.note}" for row in rows if row.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def write_results(tables: list[str], args) -> None:
    machine = (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m bench " + " ".join(sys.argv[1:])
    text = "\n\n".join(
        [
            "# Benchmark results",
            f"`{command.strip()}` on {when}; {machine}.",
            "Ratios are ours against the baseline measured in the same run "
            "(for times: baseline / ours, so 1.0 is as fast and higher is better).",
            *tables,
            FINDINGS.read_text(encoding="utf-8").strip() if FINDINGS.exists() else "",
        ]
    )
    if args.quick:
        return  # CI's small run is printed, not kept
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(f"\nWritten to {RESULTS}")


if __name__ == "__main__":
    main()
