"""The national dataset, built with bulk inserts: N units, and a round "tulokset" in
which every unit is invited and 60 % have submitted every item (11 criteria answers and
two profile texts each)."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select, text, update

from survey_app.extensions import db
from survey_app.models import Admin, Answer, Invitation, Response, Round, Unit
from survey_app.models.types import utcnow
from survey_app.rounds.services import create_round, open_round

BATCH = 5_000
REGIONS = ("Itä-Suomi", "Lappi", "Pohjois-Suomi", "Varsinais-Suomi", "Pirkanmaa")
FIELDS = ("Lastensuojelu", "Vanhusten palvelut", "Aikuissosiaalityö", "Vammaispalvelut")
CRITERIA = ["k1_1", "k1_2", "k1_3", "k2_1", "k2_2", "k2_3", "k3_1", "k3_2", "k3_3"]
CRITERIA += ["k4_1", "k4_2"]
VALUES = ("yes", "planned", "no")
SUBMITTED_SHARE = 0.6


@dataclass
class Dataset:
    units: int
    results_round: Round
    admin: Admin


def batches(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def invitation_row(round_id: int, unit: tuple, token_seed: str, **values) -> dict:
    """A bulk-insert row inviting `unit` (id, name, field, status, region), with a token
    that opens nothing and the unit as it was for the round."""
    unit_id, name, field, status, region = unit
    return {
        "round_id": round_id,
        "unit_id": unit_id,
        "token_salt": unit_id.to_bytes(8, "big") * 4,
        "token_hash": hashlib.sha256(f"{token_seed}/{unit_id}".encode()).hexdigest(),
        "unit_name": name,
        "unit_field": field,
        "unit_status": status,
        "unit_region": region,
        "unit_municipality": "Kuopio",
        **values,
    }


def build(units: int) -> Dataset:
    now = utcnow()
    for batch in batches(
        {
            "code": f"B{n:06d}",
            "name": f"Kehittämisyksikkö {n}",
            "field": FIELDS[n % len(FIELDS)],
            "status": "preparing" if n % 7 == 0 else "active",
            "region": REGIONS[n % len(REGIONS)],
            "municipality": "Kuopio",
            "contact_name": "Testi Henkilö",
            "contact_email": f"yksikko{n}@kehy.example.fi",
            "language": "fi",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(units)
    ):
        db.session.execute(insert(Unit), batch)
    admin = Admin(email="bench@example.fi", role="national", password_hash="x")  # noqa: S106
    db.session.add(admin)
    round_ = create_round("tulokset", "Tulokset", now + timedelta(days=30))
    open_round(round_)
    db.session.flush()
    unit_rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.field, Unit.status, Unit.region).order_by(Unit.id)
    ).all()
    for batch in batches(unit_rows):
        db.session.execute(
            insert(Invitation),
            [
                invitation_row(round_.id, unit, "tulokset", token_issued_at=now, created_at=now)
                for unit in batch
            ],
        )
    invitation_ids = list(
        db.session.scalars(
            select(Invitation.id).where(Invitation.round_id == round_.id).order_by(Invitation.id)
        )
    )
    # Three units in five, spread over the roster as real answers are (not the first 60 %
    # by code, which would make every list of those still missing start 60 % in).
    submitted = [i for n, i in enumerate(invitation_ids) if n % 5 < SUBMITTED_SHARE * 5]
    for batch in batches(submitted):
        db.session.execute(
            update(Invitation)
            .where(Invitation.id.in_(batch))
            .values(submitted_at=now, first_opened_at=now)
        )
        db.session.execute(
            insert(Response),
            [{"invitation_id": i, "version": 1, "language": "fi"} for i in batch],
        )
    response_ids = list(
        db.session.scalars(
            select(Response.id).join(Invitation).where(Invitation.round_id == round_.id)
        )
    )
    answers = (
        {"response_id": r, "item_code": code, "position": 0, "value": value}
        for r in response_ids
        for n, code in enumerate([*CRITERIA, "kehy_name", "kehy_mission"])
        for value in [
            VALUES[(r + n) % 3] if code in CRITERIA else f"Yksikön {r} vastaus, jossa on pilkku"
        ]
    )
    for batch in batches(answers):
        db.session.execute(insert(Answer), batch)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of such an import: without statistics
        # the planner would guess, and the measures would time its guesses.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return Dataset(units=units, results_round=round_, admin=admin)
