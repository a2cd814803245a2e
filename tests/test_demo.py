"""`flask demo`: what a newcomer runs first must work, twice, and print working links."""

import re

from tests.admin.test_accounts import login


def test_demo_loads_a_roster_and_an_open_round_with_working_links(runner, client, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "58 units (58 new)" in result.output
    assert "is open" in result.output
    links = re.findall(r"http://localhost(/r/[A-Za-z0-9_-]{43})", result.output)
    assert len(links) >= 3
    swedish = re.search(r"\[sv\] .*?http://localhost(/r/\S+)", result.output).group(1)
    assert '<html lang="sv">' in client.get(swedish).get_data(as_text=True)
    admin, password = re.search(r"as (\S+), password (\S+) ", result.output).groups()
    assert login(client, admin, password).status_code == 303
    assert client.get("/admin/rounds/demo-kartoitus").status_code == 200

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "58 units (0 new)" in again.output
    assert re.findall(r"http://localhost(/r/[A-Za-z0-9_-]{43})", again.output) == links
