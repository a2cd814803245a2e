"""The JSON API against its own OpenAPI document, by schemathesis, in-process (the
document is loaded from the WSGI app, every request goes to the app, no server):
requests generated from the document, valid and invalid (path, query, headers), with a
national or a regional admin's token or none, on rounds holding real answers. Every
answer passes schemathesis's checks: no 5xx, a documented status, content type and
headers, a body that conforms to the documented JSON Schema, invalid input refused and
valid input taken."""

import pytest
import schemathesis
from hypothesis import event, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from survey_app.models.types import utcnow
from tests.bad_input.strategies import examples
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create

SLUGS = ("kevat", "syksy", "luonnos")


def answers(number: int) -> dict:
    """Answers with what people type: unicode, line breaks, quotes, very long text."""
    texts = ["Kehittää ☃ lastensuojelua", 'Rivi\nrivi "lainaus" \\ </script>', "ä" * 5000]
    return {
        "k1_1": ["yes", "planned", "no"][number % 3],
        "k2_2": "no",
        "kehy_mission": texts[number % 3],
        "kehy_area": "\u2028 \u0085 \U0001f600",
    }


@pytest.fixture
def api(app, runner, db):
    """Rounds with answers (open, closed, a draft round without invitations), a
    national and a regional admin's token, and the strategies of requests."""
    open_round = make_round(slug="kevat")
    for number, region in enumerate(["Itä-Suomi", "Itä-Suomi", "Lappi", "Lappi", "Lappi"]):
        invitation, _link = make_invitation(open_round, make_unit(region=region))
        make_response(invitation, answers(number), submit=number != 4)
    make_invitation(open_round, make_unit(region="Pohjanmaa"))
    closed = make_round(slug="syksy", keys=("criteria",))
    for number in range(3):
        invitation, _link = make_invitation(closed, make_unit(field="Päihdepalvelut"))
        make_response(invitation, {"k1_1": "yes", "k3_1": "planned"} if number else {})
    closed.state, closed.closed_at = "closed", utcnow()
    make_round(slug="luonnos", state="draft")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    tokens = [
        runner.invoke(args=["admins", "token", email]).output.strip()
        for email in ("paa@example.fi", "lappi@example.fi")
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    by_operation = []
    for result in schema.get_all_operations():
        operation = result.ok()
        variants = []
        for token in tokens:
            auth = {"Authorization": f"Bearer {token}"}
            # Valid requests: to the rounds that exist, or to any slug.
            if "{slug}" in operation.path:
                variants += [
                    operation.as_strategy(headers=auth, path_parameters={"slug": slug})
                    for slug in SLUGS
                ]
            variants.append(operation.as_strategy(headers=auth))
            # Invalid ones, where there is anything to make invalid but the token.
            if "{slug}" in operation.path:
                variants.append(operation.as_strategy(GenerationMode.NEGATIVE, headers=auth))
        # No token, or one the generator makes up.
        variants.append(operation.as_strategy())
        by_operation.append(st.one_of(variants))
    # Each operation as often as any other, then any of its variants.
    return st.sampled_from(by_operation).flatmap(lambda requests: requests)


@examples(150)
@given(data=st.data())
def test_every_answer_of_the_api_conforms_to_its_document(api, data):
    case = data.draw(api, label="request")
    response = case.call()
    event(f"{case.operation.label} {response.status_code}")
    case.validate_response(response)
