"""Directory fixtures: the fixed dataset the directory page, its DOCX and its PDF are
checked against."""

from datetime import timedelta

import pytest

from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_response, make_round, make_unit


def submit(round_, unit, answers, submit=True):
    invitation, _link = make_invitation(round_=round_, unit=unit)
    make_response(invitation, answers, submit=submit)


@pytest.fixture
def directory_dataset(db):
    """Two open rounds, the newer one with the later deadline. Units in Itä-Suomi
    (Lastensuojelu: Bravo, Alfa, Golf; Aikuisten palvelut: Delta), in Lappi
    (Vammaispalvelut: Charlie), and Echo, deactivated after submitting."""
    older = make_round(slug="syksy", deadline=utcnow() + timedelta(days=10))
    newer = make_round(slug="kevat", deadline=utcnow() + timedelta(days=20))
    bravo = make_unit(name="Bravo-yksikkö", contact_name="Roster Rita")
    alfa = make_unit(name="Alfa-yksikkö")
    golf = make_unit(name="Golf-yksikkö")
    delta = make_unit(name="Delta-yksikkö", field="Aikuisten palvelut")
    charlie = make_unit(
        name="Charlie-yksikkö", region="Lappi", field="Vammaispalvelut", contact_name="Lapin Liisa"
    )
    echo = make_unit(name="Echo-yksikkö")

    # Bravo answered both rounds: the newer round's profile wins.
    submit(older, bravo, {"kehy_name": "Bravo-yksikkö", "kehy_mission": "Vanha toiminta-ajatus"})
    submit(
        newer,
        bravo,
        {
            "kehy_name": "Bravo-yksikkö",
            "kehy_mission": "Uusi toiminta-ajatus",
            "kehy_contact": "Puhelin 040 123",
            "kehy_other": "",
            "k1_1": "yes",
        },
    )
    # Alfa submitted the older round; its newer answers are only a draft.
    submit(older, alfa, {"kehy_name": "Alfa-yksikkö", "kehy_mission": "Alfan lähetetty"})
    submit(
        newer, alfa, {"kehy_name": "Alfa-yksikkö", "kehy_mission": "Alfan luonnos"}, submit=False
    )
    # Golf submitted only criteria answers in the newer round: its profile is the older.
    submit(older, golf, {"kehy_staff": "Kolme henkeä"})  # no name given: the roster's
    submit(newer, golf, {"k1_1": "no"})
    submit(newer, delta, {"kehy_name": "Delta-yksikkö", "kehy_area": "Pohjois-Savo"})
    submit(newer, charlie, {"kehy_name": "Charlie-yksikkö", "kehy_period": "2020–"})
    submit(newer, echo, {"kehy_name": "Echo-yksikkö", "kehy_mission": "Poistettu"})
    echo.deactivated_at = utcnow()
    db.session.commit()
    return {"older": older, "newer": newer}
