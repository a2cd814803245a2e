"""The JSON API on a fixed dataset worked out by hand: bearer tokens (401 for anything
but a live one), national and regional numbers, the results contract, pagination, and
every response validated against the served OpenAPI document."""

import json
import re
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import event, select

from survey_app.models import Admin, ApiToken
from survey_app.results.aggregate import round_results
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, login

ITEMS = ["k1_1", "k1_2", "k1_3", "k2_1", "k2_2", "k2_3", "k3_1", "k3_2", "k3_3", "k4_1", "k4_2"]
DOC_URI = "urn:survey-app-api"


@pytest.fixture
def dataset(db):
    """Eight units submit (six in Itä-Suomi, the first preparing; two in Lappi). k1_1:
    one yes, seven no; k1_2 answered by the first three only (yes, planned, planned). A
    ninth unit (Itä-Suomi, Vammaispalvelut) has only a draft saying yes; a tenth (Lappi)
    was invited and did nothing."""
    round_ = make_round(slug="kevat")
    regions = ["Itä-Suomi"] * 6 + ["Lappi"] * 2
    submitted = []
    for number, region in enumerate(regions):
        unit = make_unit(region=region, status="preparing" if number == 0 else "active")
        invitation, _link = make_invitation(round_=round_, unit=unit)
        answers = {"k1_1": "yes" if number == 0 else "no"}
        if number < 3:
            answers["k1_2"] = "yes" if number == 0 else "planned"
        if number == 7:
            answers["kehy_mission"] = "Kehittää lastensuojelua."
        make_response(invitation, answers)
        submitted.append(unit)
    drafted, _link = make_invitation(round_=round_, unit=make_unit(field="Vammaispalvelut"))
    make_response(drafted, {"k1_1": "yes", "k1_2": "yes", "k1_3": "yes"}, submit=False)
    make_invitation(round_=round_, unit=make_unit(region="Lappi"))
    round_.submitted_units = submitted
    return round_


@pytest.fixture
def tokens(runner, dataset):
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    return {
        name: runner.invoke(args=["admins", "token", f"{name}@example.fi"]).output.strip()
        for name in ("paa", "lappi", "ita")
    }


# --- the OpenAPI document as the judge of every response --------------------------------


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def validator(spec, pointer: str) -> Draft202012Validator:
    registry = Registry().with_resource(DOC_URI, Resource(spec, DRAFT202012))
    return Draft202012Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=registry)


def documented_schema(spec, path: str, status: int) -> str:
    """The JSON pointer of the schema the document gives this path and status (an
    undocumented address is answered with the Error schema)."""
    local = urlsplit(path).path.removeprefix("/api/v1")
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, local):
            responses = item["get"]["responses"]
            assert str(status) in responses, f"{status} of {template} is not documented"
            schema = responses[str(status)]["content"]["application/json"]["schema"]
            return schema["$ref"].removeprefix("#")
    return "/components/schemas/Error"


def call(client, spec, path, token=None, status=200, headers=None):
    """GET `path` and check the answer against the document: status, JSON, no-store,
    no cookie, and the body valid against the documented schema."""
    headers = dict(headers or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    if client.get_cookie("session") is None:
        assert "Set-Cookie" not in response.headers  # the API starts no session
    body = response.get_json()
    validator(spec, documented_schema(spec, path, status)).validate(body)
    return response


def get(client, spec, path, token, status=200):
    return call(client, spec, path, token, status).get_json()


def test_the_document_is_openapi_31_with_valid_schemas(spec):
    assert spec["openapi"].startswith("3.1")
    bearer = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert set(spec["paths"]) == {
        "/rounds",
        "/rounds/{slug}/results",
        "/rounds/{slug}/status",
        "/rounds/{slug}/responses",
        "/openapi.json",
    }
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    # Every reference names a schema of the document, and every schema is used.
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert referenced == set(spec["components"]["schemas"])
    for template, item in spec["paths"].items():
        if template != "/openapi.json":
            assert "401" in item["get"]["responses"]
            assert item["get"].get("security", spec.get("security")) == [{"bearerAuth": []}]


# --- tokens ---------------------------------------------------------------------------------


def test_no_wrong_revoked_or_malformed_token_is_401(client, runner, db, spec, tokens):
    path = "/api/v1/rounds/kevat/results"
    missing = call(client, spec, path, status=401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    for header in (
        "Bearer " + "x" * 43,
        "Bearer",
        "Bearer ",
        "Bearer a b",
        f"Bearer{tokens['paa']}",
        f"Bearer {tokens['paa']}x",
        f"Basic {tokens['paa']}",
        "Basic cGFhQGV4YW1wbGUuZmk6b2lrZWluLXBpdGthLXNhbGFzYW5h",
        f"Token {tokens['paa']}",
        "Bearer " + "a" * 600,
    ):
        refused = call(client, spec, path, status=401, headers={"Authorization": header})
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    # Every endpoint but the document asks for a token, whatever the slug.
    for other in (
        "/api/v1/rounds",
        "/api/v1/rounds/nope/status",
        path.replace("results", "responses"),
    ):
        call(client, spec, other, status=401)

    call(client, spec, path, tokens["paa"])  # a live token works ...
    assert runner.invoke(args=["admins", "revoke-tokens", "paa@example.fi"]).exit_code == 0
    db.session.expire_all()
    call(client, spec, path, tokens["paa"], status=401)  # ... until revoked
    call(client, spec, path, tokens["lappi"])  # others' tokens stay


def test_the_scheme_is_case_insensitive_and_use_is_recorded(client, db, spec, tokens):
    call(client, spec, "/api/v1/rounds", headers={"Authorization": f"bearer {tokens['ita']}"})
    db.session.expire_all()
    admin = db.session.scalar(select(Admin).filter_by(email="ita@example.fi"))
    token = db.session.scalar(select(ApiToken).filter_by(admin_id=admin.id))
    assert token.last_used_at is not None


def test_a_logged_in_browser_session_is_no_api_credential(client, spec, tokens):
    assert login(client, "paa@example.fi").status_code == 303
    assert client.get("/admin/").status_code == 200
    call(client, spec, "/api/v1/rounds", status=401)


def test_errors_under_the_api_are_json(client, spec, tokens):
    token = tokens["paa"]
    for path in ("/api/v1/rounds/nope/results", "/api/v1/rounds/nope/status"):
        body = get(client, spec, path, token, status=404)
        assert body["error"]["status"] == 404
    get(client, spec, "/api/v1/rounds/nope/responses", token, status=404)
    get(client, spec, "/api/v1/nothing-here", token, status=404)
    get(client, spec, "/api/v1", None, status=404)
    posted = client.post("/api/v1/rounds", headers={"Authorization": f"Bearer {token}"})
    assert posted.status_code == 405
    assert posted.mimetype == "application/json"
    assert "GET" in posted.headers["Allow"]
    validator(spec, "/components/schemas/Error").validate(posted.get_json())
    # Outside the API, errors stay pages.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


# --- the numbers ----------------------------------------------------------------------------


def zero_items(**given):
    items = []
    for code in ITEMS:
        items.append(
            given.get(code)
            or {
                "code": code,
                "criterion": int(code[1]),
                "answered": 0,
                "counts": {"yes": 0, "planned": 0, "no": 0},
                "percent": {"yes": 0, "planned": 0, "no": 0},
            }
        )
    return items


def entry(code, yes, planned, no, percent):
    return {
        "code": code,
        "criterion": int(code[1]),
        "answered": yes + planned + no,
        "counts": {"yes": yes, "planned": planned, "no": no},
        "percent": dict(zip(("yes", "planned", "no"), percent, strict=True)),
    }


def test_national_results_are_the_contract_counted_by_hand(client, db, spec, dataset, tokens):
    body = get(client, spec, "/api/v1/rounds/kevat/results", tokens["paa"])
    assert body == {
        "round": "kevat",
        "invited": 10,
        "responded": 8,
        "units": {
            "by_field": {
                "Lastensuojelu": {"active": 8, "preparing": 1},
                "Vammaispalvelut": {"active": 1, "preparing": 0},
            },
            "by_region": {
                "Itä-Suomi": {"active": 6, "preparing": 1},
                "Lappi": {"active": 3, "preparing": 0},
            },
        },
        "items": zero_items(
            k1_1=entry("k1_1", 1, 0, 7, (13, 0, 88)),
            k1_2=entry("k1_2", 1, 2, 0, (33, 67, 0)),
        ),
    }
    assert body == round_results(dataset, None)


def test_regional_tokens_count_their_region_only(client, db, spec, dataset, tokens):
    lappi = get(client, spec, "/api/v1/rounds/kevat/results", tokens["lappi"])
    assert lappi == {
        "round": "kevat",
        "invited": 3,
        "responded": 2,
        "units": {
            "by_field": {"Lastensuojelu": {"active": 3, "preparing": 0}},
            "by_region": {"Lappi": {"active": 3, "preparing": 0}},
        },
        "items": zero_items(k1_1=entry("k1_1", 0, 0, 2, (0, 0, 100))),
    }
    ita = get(client, spec, "/api/v1/rounds/kevat/results", tokens["ita"])
    assert (ita["invited"], ita["responded"]) == (7, 6)
    assert ita["items"][0] == entry("k1_1", 1, 0, 5, (17, 0, 83))
    assert ita["items"][1] == entry("k1_2", 1, 2, 0, (33, 67, 0))
    admin = db.session.scalar(select(Admin).filter_by(email="ita@example.fi"))
    assert ita == round_results(dataset, admin)


def test_rounds_list_in_each_scope(client, spec, dataset, tokens):
    make_round(slug="syksy", state="draft")
    national = get(client, spec, "/api/v1/rounds", tokens["paa"])["rounds"]
    assert [r["slug"] for r in national] == ["syksy", "kevat"]
    kevat = national[1]
    assert kevat["title"] == {"fi": "Testikartoitus"}
    assert kevat["state"] == "open"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", kevat["deadline"])
    assert [q["key"] for q in kevat["questionnaires"]] == ["criteria", "kehy"]
    assert (kevat["invited"], kevat["submitted"]) == (10, 8)
    lappi = get(client, spec, "/api/v1/rounds", tokens["lappi"])["rounds"]
    assert (lappi[1]["invited"], lappi[1]["submitted"]) == (3, 2)
    assert lappi[0]["state"] == "draft" and lappi[0]["invited"] == 0


def test_status_counts_and_rates(client, spec, dataset, tokens):
    national = get(client, spec, "/api/v1/rounds/kevat/status", tokens["paa"])
    totals = national["totals"]
    assert (totals["units"], totals["invited"], totals["submitted"], totals["draft"]) == (
        10,
        10,
        8,
        1,
    )
    assert totals["response_rate"] == 80.0
    assert totals["percent"]["submitted"] == 80
    assert totals["percent"]["draft"] == 10
    assert national["stages"]["submitted"] == 8 and national["stages"]["draft"] == 1
    regions = {row["name"]: row for row in national["by_region"]}
    assert (regions["Lappi"]["invited"], regions["Lappi"]["submitted"]) == (3, 2)
    assert regions["Lappi"]["response_rate"] == 66.7
    assert regions["Lappi"]["percent"]["submitted"] == 67
    assert (regions["Itä-Suomi"]["invited"], regions["Itä-Suomi"]["submitted"]) == (7, 6)
    fields = {row["name"]: row["submitted"] for row in national["by_field"]}
    assert fields == {"Lastensuojelu": 8, "Vammaispalvelut": 0}

    lappi = get(client, spec, "/api/v1/rounds/kevat/status", tokens["lappi"])
    assert [row["name"] for row in lappi["by_region"]] == ["Lappi"]
    assert (lappi["totals"]["invited"], lappi["totals"]["submitted"]) == (3, 2)
    assert lappi["totals"]["draft"] == 0
    assert lappi["totals"]["response_rate"] == 66.7


# --- responses, page by page ---------------------------------------------------------------


def test_pagination_links_come_from_base_url_not_the_host_header(client, spec, dataset, tokens):
    """A forged Host header must not put another site's address in the links a tool
    follows with its bearer token."""
    response = call(
        client,
        spec,
        "/api/v1/rounds/kevat/responses?per_page=3&page=2",
        tokens["paa"],
        headers={"Host": "evil.example"},
    )
    pagination = response.get_json()["pagination"]
    base = client.application.config["BASE_URL"]
    for link in (pagination["next"], pagination["previous"]):
        assert link.startswith(f"{base}/api/v1/rounds/kevat/responses?"), link
        assert "evil.example" not in link


def test_responses_page_by_page_in_unit_code_order(client, spec, dataset, tokens):
    codes = sorted(unit.code for unit in dataset.submitted_units)
    seen = []
    path = "/api/v1/rounds/kevat/responses?per_page=3"
    pages = 0
    while path:
        body = get(client, spec, path, tokens["paa"])
        pagination = body["pagination"]
        assert (pagination["total"], pagination["pages"], pagination["per_page"]) == (8, 3, 3)
        seen += [response["unit"]["code"] for response in body["responses"]]
        path = pagination["next"]
        pages += 1
    assert pages == 3
    assert seen == codes  # each once, in order; the draft and the idle unit are not here
    assert pagination["previous"].endswith("page=2&per_page=3")

    first = get(client, spec, "/api/v1/rounds/kevat/responses", tokens["paa"])
    assert first["pagination"]["per_page"] == 50 and first["pagination"]["next"] is None
    by_code = {response["unit"]["code"]: response for response in first["responses"]}
    one = by_code[dataset.submitted_units[0].code]
    assert one["unit"] == {
        "code": dataset.submitted_units[0].code,
        "name": dataset.submitted_units[0].name,
        "region": "Itä-Suomi",
        "field": "Lastensuojelu",
        "status": "preparing",
    }
    assert one["answers"]["k1_1"] == "yes" and one["answers"]["k1_2"] == "yes"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", one["submitted_at"])
    last = by_code[dataset.submitted_units[7].code]
    assert last["answers"]["kehy_mission"] == "Kehittää lastensuojelua."
    assert "k1_2" not in last["answers"]

    beyond = get(client, spec, "/api/v1/rounds/kevat/responses?page=9", tokens["paa"])
    assert beyond["responses"] == [] and beyond["pagination"]["next"] is None


def test_a_regional_token_lists_its_region_only(client, spec, dataset, tokens):
    body = get(client, spec, "/api/v1/rounds/kevat/responses", tokens["lappi"])
    assert body["pagination"]["total"] == 2
    assert {response["unit"]["region"] for response in body["responses"]} == {"Lappi"}


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "per_page=0", "per_page=101", "per_page="],
)
def test_bad_page_parameters_are_400(client, spec, dataset, tokens, query):
    body = get(client, spec, f"/api/v1/rounds/kevat/responses?{query}", tokens["paa"], 400)
    assert body["error"]["status"] == 400


def test_per_page_100_is_the_cap_and_allowed(client, spec, dataset, tokens):
    body = get(client, spec, "/api/v1/rounds/kevat/responses?per_page=100", tokens["paa"])
    assert body["pagination"]["per_page"] == 100


def test_a_page_costs_the_same_queries_however_many_responses(client, db, spec, tokens):
    counted = []

    def count(*_args):
        counted.append(1)

    def queries(per_page):
        counted.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            get(client, spec, f"/api/v1/rounds/kevat/responses?per_page={per_page}", tokens["paa"])
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(counted)

    queries(1)  # the first request of a connection may read the schema's settings
    assert queries(1) == queries(8)


# --- the document judges: a renamed field fails ------------------------------------------


def test_a_renamed_field_fails_validation(client, spec, tokens):
    results = get(client, spec, "/api/v1/rounds/kevat/results", tokens["paa"])
    check = validator(spec, "/components/schemas/Results")
    renamed = {**results, "respondents": results["responded"]}
    del renamed["responded"]
    with pytest.raises(ValidationError):
        check.validate(renamed)
    item = {**results["items"][0], "n": 8}
    with pytest.raises(ValidationError):
        check.validate({**results, "items": [item]})
    page = get(client, spec, "/api/v1/rounds/kevat/responses", tokens["paa"])
    unit = {**page["responses"][0]["unit"], "unit_code": "x"}
    with pytest.raises(ValidationError):
        validator(spec, "/components/schemas/ResponsePage").validate(
            {**page, "responses": [{**page["responses"][0], "unit": unit}]}
        )
