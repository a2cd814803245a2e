"""Do the exports (CSV, XLSX, JSON) stay flat in memory as responses grow?

Builds a throwaway SQLite database with one round per size (bulk inserts), exports each
round in each format and prints the peak Python memory (tracemalloc), the growth of the
process's resident memory during the export (C allocations too: SQLite, lxml) and the
time, each as a ratio against the smallest round measured in the same run. Not a test:

    python bench/export_memory.py [--sizes 1000,10000] [--formats csv,xlsx,json]
    nice python bench/export_memory.py --sizes 1000,100000      # the issue's 100k
"""

import argparse
import re
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bench.dataset import batches, invitation_row  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Answer, Invitation, Response, Round, Unit  # noqa: E402
from survey_app.results.exports import csv_chunks, results_json, write_xlsx  # noqa: E402
from tests.factories import make_round  # noqa: E402

VALUES = ("yes", "planned", "no")
CRITERIA = [f"k{c}_{i}" for c, i in ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3))] + [
    f"k{c}_{i}" for c, i in ((3, 1), (3, 2), (3, 3), (4, 1), (4, 2))
]
REGIONS = ("Itä-Suomi", "Lappi", "Pohjois-Suomi", "Varsinais-Suomi")


def build(units: int, sizes: list[int]) -> dict[int, Round]:
    """`units` units, and per size a round in which that many of them submitted."""
    for batch in batches(
        {
            "code": f"B{n:06d}",
            "name": f"Yksikkö {n}",
            "field": "Lastensuojelu",
            "status": "active",
            "region": REGIONS[n % len(REGIONS)],
            "municipality": "Kuopio",
            "contact_name": "Testi",
            "contact_email": f"u{n}@example.fi",
            "language": "fi",
        }
        for n in range(units)
    ):
        db.session.execute(insert(Unit), batch)
    unit_rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.field, Unit.status, Unit.region).order_by(Unit.id)
    ).all()
    when = datetime.now(UTC) - timedelta(days=1)
    rounds = {}
    for size in sizes:
        round_ = make_round(slug=f"bench-{size}", state="closed")
        rounds[size] = round_
        for batch in batches(unit_rows[:size]):
            db.session.execute(
                insert(Invitation),
                [invitation_row(round_.id, unit, str(size), submitted_at=when) for unit in batch],
            )
        invitation_ids = list(
            db.session.scalars(select(Invitation.id).where(Invitation.round_id == round_.id))
        )
        for batch in batches(invitation_ids):
            db.session.execute(
                insert(Response),
                [{"invitation_id": i, "version": 1} for i in batch],
            )
        response_ids = db.session.scalars(
            select(Response.id).join(Invitation).where(Invitation.round_id == round_.id)
        ).all()
        answers = (
            {"response_id": r, "item_code": code, "position": 0, "value": value}
            for r in response_ids
            for n, code in enumerate(CRITERIA + ["kehy_name", "kehy_mission"])
            for value in [
                VALUES[(r + n) % 3]
                if code.startswith("k") and not code.startswith("kehy")
                else f'Yksikön {r} vastaus, jossa on pilkku, "lainaus" ja\nrivinvaihto'
            ]
        )
        for batch in batches(answers, 20_000):
            db.session.execute(insert(Answer), batch)
        db.session.commit()
    return rounds


def export(round_: Round, format_: str) -> int:
    """Export to nowhere (CSV chunks counted, XLSX into a temporary file); the size."""
    if format_ == "csv":
        return sum(len(chunk) for chunk in csv_chunks(round_))
    if format_ == "json":
        return len(results_json(round_))
    with tempfile.TemporaryFile() as target:
        write_xlsx(round_, target)
        return target.tell()


def _status_kb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1))


def _reset_peak_rss() -> bool:
    """Linux: make VmHWM (peak resident memory) start again from the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(round_: Round, format_: str) -> dict:
    """One timed export watching resident memory, then one under tracemalloc."""
    db.session.expire_all()
    resettable = _reset_peak_rss()
    rss_before = _status_kb("VmRSS")
    start = time.perf_counter()
    size = export(round_, format_)
    seconds = time.perf_counter() - start
    rss_growth = (_status_kb("VmHWM") - rss_before) * 1024 if resettable else float("nan")
    db.session.expire_all()
    tracemalloc.start()
    export(round_, format_)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak": peak, "rss": rss_growth, "size": size}


def _count(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}x" if base > 0 else "n/a"


def report(format_: str, size: int, numbers: dict, base_size: int, base: dict) -> None:
    print(
        f"{format_:>4} {size:>7} responses: {numbers['size'] / 1e6:8.3f} MB out, "
        f"python peak {numbers['peak'] / 1e6:6.2f} MB, "
        f"RSS growth {max(numbers['rss'], 0) / 1e6:6.1f} MB, {numbers['seconds']:7.2f} s"
    )
    if size != base_size:
        print(
            f"  {_count(size)}/{_count(base_size)} {format_}: "
            f"python peak ratio {_ratio(numbers['peak'], base['peak'])}, "
            f"time ratio {_ratio(numbers['seconds'], base['seconds'])} "
            f"(responses ratio {size / base_size:.0f}x; "
            f"RSS growth {max(numbers['rss'], 0) / 1e6:.1f} MB "
            f"vs {max(base['rss'], 0) / 1e6:.1f} MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000", help="responses per round, comma-separated"
    )
    parser.add_argument(
        "--formats", default="csv,xlsx,json", help="any of csv,xlsx,json, comma-separated"
    )
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    formats = [name for name in args.formats.split(",") if name]
    unknown = set(formats) - {"csv", "xlsx", "json"}
    if unknown or not sizes:
        parser.error(f"unknown format(s): {', '.join(sorted(unknown))}" if unknown else "no sizes")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "ENV_NAME": "testing"}
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            started = time.perf_counter()
            rounds = build(max(sizes), sizes)
            print(
                f"built {', '.join(map(str, sizes))} responses in "
                f"{time.perf_counter() - started:.1f} s"
            )
            for format_ in formats:
                measure(rounds[sizes[0]], format_)  # warm-up: imports, compiled SQL
                base = None
                for size in sizes:
                    numbers = measure(rounds[size], format_)
                    base = base or numbers
                    report(format_, size, numbers, sizes[0], base)
            db.engine.dispose()


if __name__ == "__main__":
    main()
