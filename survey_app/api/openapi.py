"""The OpenAPI 3.1 description of the API, written by hand: every endpoint, the bearer
scheme and a strict JSON Schema (2020-12) of every answer. The tests validate every
response against it, so a renamed field fails them; keep it in step with data.py."""

from copy import deepcopy

VERSION = "1.0.0"


def _integer(minimum: int = 0, maximum: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _object(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


TIMESTAMP = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
    "description": "ISO 8601 in UTC, to the second.",
}
NULLABLE_TIMESTAMP = {"oneOf": [TIMESTAMP, {"type": "null"}]}
COUNT = _integer()
PERCENT = _integer(0, 100)
STATUS_COUNTS = _object({"active": COUNT, "preparing": COUNT})
NULLABLE_URL = {"oneOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}

STATUS_TOTALS = {
    "units": {**COUNT, "description": "Units of the roster (not deactivated) in scope."},
    "invited": {**COUNT, "description": "Units with an invitation to the round."},
    "mailed": {**COUNT, "description": "The mail server took an invitation or reminder."},
    "queued": COUNT,
    "failed": COUNT,
    "bounced": COUNT,
    "opened": {**COUNT, "description": "Units that opened their link."},
    "draft": {**COUNT, "description": "Units with a saved, unsent draft."},
    "submitted": {**COUNT, "description": "Units that submitted."},
    "response_rate": {
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "description": "Submitted of invited, in percent with one decimal, half up.",
    },
    "percent": _object(
        {name: PERCENT for name in ("mailed", "opened", "draft", "submitted")},
        description="Whole percent of the invited units, half up.",
    ),
}

SCHEMAS = {
    "Error": _object(
        {
            "error": _object(
                {"status": _integer(400, 599), "message": {"type": "string"}},
            )
        }
    ),
    "Round": _object(
        {
            "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
            "title": {
                "type": "object",
                "description": "The title by language; Finnish always.",
                "properties": {"fi": {"type": "string"}},
                "required": ["fi"],
                "propertyNames": {"enum": ["fi", "sv", "en"]},
                "additionalProperties": {"type": "string"},
            },
            "state": {
                "enum": ["draft", "open", "closed"],
                "description": "An open round whose deadline passed is closed.",
            },
            "deadline": TIMESTAMP,
            "opened_at": NULLABLE_TIMESTAMP,
            "closed_at": NULLABLE_TIMESTAMP,
            "questionnaires": {
                "type": "array",
                "items": _object({"key": {"type": "string"}, "version": _integer(1)}),
            },
            "invited": {**COUNT, "description": "Invited units in the token's scope."},
            "submitted": {**COUNT, "description": "Units in scope that submitted."},
        }
    ),
    "RoundList": _object(
        {"rounds": {"type": "array", "items": {"$ref": "#/components/schemas/Round"}}}
    ),
    "Results": _object(
        {
            "round": {"type": "string", "description": "The round's slug."},
            "invited": {**COUNT, "description": "Invited units (still on the roster)."},
            "responded": {**COUNT, "description": "Units that submitted; drafts do not count."},
            "units": _object(
                {
                    "by_field": {"type": "object", "additionalProperties": STATUS_COUNTS},
                    "by_region": {"type": "object", "additionalProperties": STATUS_COUNTS},
                },
                description="The round's invited units, active and preparing.",
            ),
            "items": {
                "type": "array",
                "description": "Every choice item of the criteria questionnaire, in order.",
                "items": _object(
                    {
                        "code": {"type": "string", "examples": ["k1_1"]},
                        "criterion": _integer(1),
                        "answered": {
                            **COUNT,
                            "description": "Units that answered this item (the denominator).",
                        },
                        "counts": {
                            "type": "object",
                            "description": "Units per option value, zeros included.",
                            "additionalProperties": COUNT,
                        },
                        "percent": {
                            "type": "object",
                            "description": "Whole percent of `answered`, rounded half up.",
                            "additionalProperties": PERCENT,
                        },
                    }
                ),
            },
        },
        description="The results JSON of `results export SLUG --format json`.",
    ),
    "Totals": _object(STATUS_TOTALS),
    "Group": _object({"name": {"type": "string"}, **STATUS_TOTALS}),
    "Status": _object(
        {
            "round": {"type": "string"},
            "state": {"enum": ["draft", "open", "closed"]},
            "deadline": TIMESTAMP,
            "generated_at": TIMESTAMP,
            "totals": {"$ref": "#/components/schemas/Totals"},
            "stages": _object(
                {name: COUNT for name in ("submitted", "draft", "opened", "not_opened")},
                description="Each invited unit at the furthest stage it reached.",
            ),
            "by_region": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}},
            "by_field": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}},
        }
    ),
    "SubmittedResponse": _object(
        {
            "unit": _object(
                {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "region": {"type": "string"},
                    "field": {"type": "string"},
                    "status": {"enum": ["active", "preparing"]},
                }
            ),
            "language": {"enum": ["fi", "sv", "en"]},
            "submitted_at": TIMESTAMP,
            "answers": {
                "type": "object",
                "description": "Item code → the submitted value (a list for multiple choice).",
                "additionalProperties": {
                    "oneOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"type": "string"}},
                    ]
                },
            },
        }
    ),
    "ResponsePage": _object(
        {
            "round": {"type": "string"},
            "pagination": _object(
                {
                    "page": _integer(1),
                    "per_page": _integer(1, 100),
                    "total": COUNT,
                    "pages": COUNT,
                    "next": NULLABLE_URL,
                    "previous": NULLABLE_URL,
                }
            ),
            "responses": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/SubmittedResponse"},
            },
        }
    ),
}


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
                "schema": {"type": "integer", "minimum": 1, "default": 1},
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
