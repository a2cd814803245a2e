"""Every admin page over a round or the roster takes the same statements for 3 units as
for 40: it counts in SQL and shows a page of units, never a query per unit (issue 13)."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, login

PAGES = [
    "/admin/",  # the rounds list
    "/admin/units",
    "/admin/rounds/{slug}",  # the dashboard
    "/admin/rounds/{slug}/manage",
    "/admin/rounds/{slug}/report",
    "/admin/rounds/{slug}/answers",  # the free-text answers
    "/admin/rounds/{slug}/export.csv",
    "/admin/rounds/{slug}/export.json",
    "/admin/outbox",
    "/admin/directory",
]


DEADLINE = utcnow() + timedelta(days=14)


def _round_of(db, slug: str, units: int) -> None:
    """A round of `units` units, two in three submitted; all such rounds share one
    deadline, so each has the same previous round to compare with."""
    round_ = make_round(slug=slug, deadline=DEADLINE)
    for number in range(units):
        unit = make_unit(region=("Itä-Suomi", "Lappi")[number % 2])
        invitation, _link = make_invitation(round_=round_, unit=unit)
        if number % 3:
            make_response(
                invitation, {"k1_1": ("yes", "no")[number % 2], "kehy_name": f"Yksikkö {number}"}
            )
    db.session.commit()


def _statements(db, client, path: str) -> int:
    seen = []

    def record(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
        response.get_data()  # a streamed download runs its queries as it is read
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    return len(seen)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_takes_the_same_statements_for_3_units_as_for_40(client, db, runner, page):
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    earlier = make_round(slug="aiempi", deadline=utcnow() + timedelta(days=1))
    invitation, _link = make_invitation(round_=earlier)
    make_response(invitation, {"k1_1": "yes"})
    _round_of(db, "pieni", 3)
    small_path = page.format(slug="pieni")
    client.get(small_path)  # the first view reads what a process caches
    small = _statements(db, client, small_path)
    _round_of(db, "suuri", 40)
    large_path = page.format(slug="suuri")
    client.get(large_path)
    assert _statements(db, client, large_path) == small
