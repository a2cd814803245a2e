"""Results fixtures: the fixed datasets that the report, its PDF and the exports are
checked against, worked out by hand."""

from datetime import timedelta

import pytest

from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create
from tests.results.export_data import HOSTILE

# k1_1 per region (13 submitted): Itä-Suomi 6 (5 yes, 1 no), Pohjois-Suomi 5 (3 yes,
# 1 planned, 1 no), Lappi 2 (1 yes, 1 planned) → yes 9/13 = 69 %, planned 2/13 = 15 %,
# no 2/13 = 15 %. Fields: 7 Lastensuojelu, 6 Vanhusten palvelut. One preparing unit.
PLAN = (
    [("Itä-Suomi", "yes")] * 5
    + [("Itä-Suomi", "no")]
    + [("Pohjois-Suomi", "yes")] * 3
    + [("Pohjois-Suomi", "planned"), ("Pohjois-Suomi", "no")]
    + [("Lappi", "yes"), ("Lappi", "planned")]
)


@pytest.fixture
def report_dataset(db, runner):
    """Round "kevat" (13 submitted, one draft, 14 invited) and the closed "syksy" before it;
    a national admin and Lappi's regional admin. Returns (kevat, syksy)."""
    now = utcnow()
    previous = make_round(slug="syksy", deadline=now + timedelta(days=7))
    current = make_round(slug="kevat", deadline=now + timedelta(days=14))
    # The previous round: k1_1 answered by 4, 3 yes → 75 %; change 69 - 75 = −6 pp.
    for value in ["yes", "yes", "yes", "no"]:
        invitation, _ = make_invitation(round_=previous, unit=make_unit(region="Itä-Suomi"))
        make_response(invitation, {"k1_1": value})
    previous.state = "closed"
    previous.closed_at = now
    for number, (region, value) in enumerate(PLAN):
        unit = make_unit(
            region=region,
            field="Lastensuojelu" if number % 2 == 0 else "Vanhusten palvelut",
            status="preparing" if number == 0 else "active",
        )
        invitation, _ = make_invitation(round_=current, unit=unit)
        make_response(invitation, {"k1_1": value})
    drafted, _ = make_invitation(round_=current, unit=make_unit(region="Itä-Suomi"))
    make_response(drafted, {"k1_1": "no", "k1_2": "yes"}, submit=False)
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    return current, previous


@pytest.fixture
def export_dataset(db):
    """Three units submit (A1, A2 in Itä-Suomi; B1, preparing, in Lappi): k1_1 yes, no,
    yes; k1_2 answered by A1 only (planned). B2 (Lappi) has a draft saying no; A3 was
    invited and did nothing. A1's name and A2's profile texts look like formulas."""
    round_ = make_round(slug="syksy")
    units = {
        "A1": make_unit(code="A1", name="=1+1 yksikkö"),
        "A2": make_unit(code="A2", name="Kuopion yksikkö"),
        "B1": make_unit(code="B1", name="Lapin yksikkö", region="Lappi", status="preparing"),
        "B2": make_unit(code="B2", name="Luonnosyksikkö", region="Lappi"),
        "A3": make_unit(code="A3", name="Hiljainen yksikkö"),
    }
    invitations = {code: make_invitation(round_, unit)[0] for code, unit in units.items()}
    make_response(invitations["A1"], {"k1_1": "yes", "k1_2": "planned", "kehy_name": "Yksikkö A"})
    make_response(invitations["A2"], {"k1_1": "no", **HOSTILE})
    make_response(invitations["B1"], {"k1_1": "yes", "kehy_name": "Lappi"})
    make_response(invitations["B2"], {"k1_1": "no"}, submit=False)
    return round_
