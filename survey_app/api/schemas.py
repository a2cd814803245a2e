"""The JSON Schemas (2020-12) of the API's answers, for the OpenAPI document: strict,
so that a renamed or added field fails the tests that validate every response."""


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
