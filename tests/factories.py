"""Test data factories: real rows through the real services where they exist."""

import itertools
from datetime import timedelta

from survey_app.extensions import db
from survey_app.invitations.services import create_invitation, token_for
from survey_app.models import Round, Unit
from survey_app.models.types import utcnow
from survey_app.questionnaires.registry import ensure_stored, shipped_definitions
from survey_app.rounds.services import pin_questionnaires

_codes = itertools.count(1)


def make_unit(**values) -> Unit:
    number = next(_codes)
    defaults = {
        "code": f"U{number:04d}",
        "name": f"Testiyksikkö {number}",
        "field": "Lastensuojelu",
        "status": "active",
        "region": "Itä-Suomi",
        "municipality": "Kuopio",
        "contact_name": "Testi Henkilö",
        "contact_email": f"unit{number}@example.fi",
        "language": "fi",
    }
    unit = Unit(**{**defaults, **values})
    db.session.add(unit)
    db.session.flush()
    return unit


def make_round(slug=None, state="open", deadline=None, keys=("criteria", "kehy")) -> Round:
    """A round in any state, with any deadline (past ones too, unlike `rounds create`)."""
    definitions = shipped_definitions()
    round_ = Round(
        slug=slug or f"round-{next(_codes)}",
        title="Testikartoitus",
        deadline=deadline or utcnow() + timedelta(days=14),
        state=state,
        opened_at=utcnow() if state != "draft" else None,
        closed_at=utcnow() if state == "closed" else None,
    )
    db.session.add(round_)
    db.session.flush()
    pin_questionnaires(round_, [ensure_stored(definitions[key]) for key in keys])
    return round_


def make_invitation(round_=None, unit=None):
    """An invitation and its link path (/r/<token>)."""
    round_ = round_ or make_round()
    unit = unit or make_unit()
    invitation = create_invitation(round_, unit)
    db.session.commit()
    return invitation, f"/r/{token_for(invitation)}"


def make_response(invitation, answers: dict, submit: bool = True, language: str = "fi"):
    """Answer through the respondent's own service (a draft or a submission):
    `answers` maps item codes to a value or a list of values."""
    from survey_app.respond.services import save_answers

    values = {code: v if isinstance(v, list) else [v] for code, v in answers.items()}
    outcome = save_answers(
        invitation,
        values,
        submit=submit,
        language=language,
        expected_version=None,
        submission_key=None,
    )
    db.session.commit()
    return outcome.response
