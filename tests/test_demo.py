"""`flask demo`: what a newcomer runs first must work, twice, and print working links."""

import json
import re

from sqlalchemy import func, select

from survey_app.invitations.services import find_by_token
from survey_app.models import OutboxMessage, Response, Round
from survey_app.timeutil import to_local
from tests.helpers import login


def test_demo_loads_a_roster_and_an_open_round_with_working_links(runner, client, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "58 units (58 new)" in result.output
    assert "is open" in result.output
    assert "demo-syksy is closed" in result.output
    links = re.findall(r"http://localhost(/r/[A-Za-z0-9_-]{43})", result.output)
    assert len(links) >= 3
    # Every printed link is one still to answer: its unit has not submitted.
    for link in links:
        assert find_by_token(link.removeprefix("/r/")).submitted_at is None, link
    # The round closes at 16.00 Finnish time, as rounds do.
    deadline = db.session.scalar(select(Round.deadline).filter_by(slug="demo-kartoitus"))
    assert to_local(deadline).strftime("%H:%M") == "16:00"
    swedish = re.search(r"\[sv\] .*?http://localhost(/r/\S+)", result.output).group(1)
    assert '<html lang="sv">' in client.get(swedish).get_data(as_text=True)
    admin, password = re.search(r"as (\S+), password (\S+) ", result.output).groups()
    assert login(client, admin, password).status_code == 303
    assert client.get("/admin/rounds/demo-kartoitus").status_code == 200

    earlier = client.get("/admin/rounds/demo-syksy")
    assert earlier.status_code == 200
    exported = runner.invoke(args=["results", "export", "demo-syksy", "--format", "json"])
    results = json.loads(exported.stdout_bytes)
    assert (results["invited"], results["responded"]) == (58, 36)
    k1_1 = results["items"][0]
    assert k1_1["code"] == "k1_1" and 30 <= k1_1["percent"]["yes"] <= 100
    assert all(0 < item["answered"] <= 36 for item in results["items"])
    current = json.loads(client.get("/admin/rounds/demo-kartoitus/export.json").get_data())
    assert 0 < current["responded"] < 58
    # Demo answers mail no receipts.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    responses = db.session.scalar(select(func.count(Response.id)))

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "58 units (0 new)" in again.output
    assert db.session.scalar(select(func.count(Response.id))) == responses
    assert re.findall(r"http://localhost(/r/[A-Za-z0-9_-]{43})", again.output) == links
