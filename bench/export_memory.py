"""Does the CSV (or XLSX) export stay flat in memory as responses grow?

Builds a throwaway SQLite database with rounds of 1,000, 10,000 and 100,000 submitted
responses (bulk inserts), exports each and prints peak Python memory (tracemalloc) and
time, as ratios against the smallest round measured in the same run. Not a test:

    python bench/export_memory.py [--sizes 1000,10000,100000] [--format csv|xlsx]
"""

import argparse
import hashlib
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Answer, Invitation, Response, Round, Unit  # noqa: E402
from survey_app.results.exports import csv_chunks, write_xlsx  # noqa: E402
from tests.factories import make_round  # noqa: E402

BATCH = 5_000
VALUES = ("yes", "planned", "no")
CRITERIA = [f"k{c}_{i}" for c, i in ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3))] + [
    f"k{c}_{i}" for c, i in ((3, 1), (3, 2), (3, 3), (4, 1), (4, 2))
]
REGIONS = ("Itä-Suomi", "Lappi", "Pohjois-Suomi", "Varsinais-Suomi")


def batches(rows, size=BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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
    unit_ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    when = datetime.now(UTC) - timedelta(days=1)
    rounds = {}
    for size in sizes:
        round_ = make_round(slug=f"bench-{size}", state="closed")
        rounds[size] = round_
        for batch in batches(unit_ids[:size]):
            db.session.execute(
                insert(Invitation),
                [
                    {
                        "round_id": round_.id,
                        "unit_id": unit_id,
                        "token_salt": unit_id.to_bytes(8, "big") * 4,
                        "token_hash": hashlib.sha256(f"{size}/{unit_id}".encode()).hexdigest(),
                        "submitted_at": when,
                    }
                    for unit_id in batch
                ],
            )
        invitation_ids = list(
            db.session.scalars(select(Invitation.id).where(Invitation.round_id == round_.id))
        )
        for batch in batches(invitation_ids):
            db.session.execute(
                insert(Response),
                [
                    {
                        "invitation_id": i,
                        "status": "submitted",
                        "version": 1,
                        "submitted_at": when,
                    }
                    for i in batch
                ],
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


class Sink:
    """Counts what it is given and keeps nothing (like a socket)."""

    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)

    def flush(self):
        pass

    def tell(self):
        return self.size

    def seek(self, *args):
        return self.size


def export(round_: Round, format_: str) -> int:
    if format_ == "csv":
        return sum(len(chunk) for chunk in csv_chunks(round_))
    with tempfile.TemporaryFile() as target:
        write_xlsx(round_, target)
        return target.tell()


def measure(round_: Round, format_: str) -> tuple[float, float, int]:
    db.session.expire_all()
    start = time.perf_counter()
    size = export(round_, format_)
    seconds = time.perf_counter() - start
    db.session.expire_all()
    tracemalloc.start()
    export(round_, format_)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
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
            measure(rounds[sizes[0]], args.format)  # warm-up: imports, compiled SQL
            baseline = None
            for size in sizes:
                seconds, peak, length = measure(rounds[size], args.format)
                baseline = baseline or (size, seconds, peak)
                base_size, base_seconds, base_peak = baseline
                print(
                    f"{args.format} {size:>7} responses: {length / 1e6:7.1f} MB out, "
                    f"peak {peak / 1e6:6.2f} MB, {seconds:6.2f} s"
                )
                if size != base_size:
                    label = f"{size // 1000}k/{base_size // 1000}k"
                    print(
                        f"  {label} memory ratio: {peak / base_peak:.1f}x, "
                        f"time ratio: {seconds / base_seconds:.1f}x "
                        f"(responses ratio {size / base_size:.0f}x)"
                    )
            db.engine.dispose()


if __name__ == "__main__":
    main()
