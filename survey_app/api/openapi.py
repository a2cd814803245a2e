"""The OpenAPI 3.1 description of the API, written by hand: every endpoint, the bearer
scheme and a strict JSON Schema (2020-12) of every answer. The tests validate every
response against it, so a renamed field fails them; keep it in step with data.py."""

from copy import deepcopy

from .data import MAX_PAGE
from .schemas import SCHEMAS

VERSION = "1.0.0"


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


ERRORS = {
    "401": {
        **_json("Error", "No token, a malformed header, or an unknown or revoked token."),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    },
}
NOT_FOUND = {"404": _json("Error", "No round with this slug.")}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The round's short name.",
}


def _operation(operation_id: str, summary: str, schema: str, ok: str, **extra) -> dict:
    responses = {"200": _json(schema, ok), **ERRORS, **extra.pop("errors", {})}
    return {
        "get": {"operationId": operation_id, "summary": summary, "responses": responses, **extra}
    }


PATHS = {
    "/rounds": _operation(
        "listRounds",
        "Every round, with its invited and submitted counts in the token's scope.",
        "RoundList",
        "The rounds, latest deadline first.",
    ),
    "/rounds/{slug}/results": _operation(
        "roundResults",
        "The round's results (the contract of `results export --format json`).",
        "Results",
        "The results; a regional token's numbers are of its region's units only.",
        parameters=[SLUG],
        errors=NOT_FOUND,
    ),
    "/rounds/{slug}/status": _operation(
        "roundStatus",
        "Response rates overall, by region and by field.",
        "Status",
        "The round's response rates in the token's scope.",
        parameters=[SLUG],
        errors=NOT_FOUND,
    ),
    "/rounds/{slug}/responses": _operation(
        "roundResponses",
        "The submitted responses, a page at a time, by unit code.",
        "ResponsePage",
        "One page of submitted responses in the token's scope.",
        parameters=[
            SLUG,
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "per_page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
            },
        ],
        errors={**NOT_FOUND, "400": _json("Error", "page or per_page is not valid.")},
    ),
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
    "info": {
        "title": "survey_app API",
        "version": VERSION,
        "description": (
            "Survey rounds of the development units (KEHY), read only. Every request but "
            "this document needs `Authorization: Bearer <token>` (`flask admins token "
            "EMAIL`); a regional admin's token sees only its region's units, in every "
            "number. Errors are JSON; nothing may be cached."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token printed by `flask admins token EMAIL`.",
            }
        },
        "schemas": SCHEMAS,
    },
}


def document() -> dict:
    return deepcopy(DOCUMENT)
