"""The free-text answers of a round, listed per unit for admins.

Choice items are counted (aggregate.py); a text cannot be, so an admin reads them
here, one list per text item, by unit. Every text item of the round's questionnaires
is listed (the criteria questionnaire's first, then the profile form's, in the round's
order): the profile texts are also compiled into the directory, but only here are they
the answers of this one round. Submitted answers only (a draft lives in
`Response.draft`, never in `Answer`), empty texts left out, the admin's region only.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..models import Admin, Answer, Invitation, Round, Unit
from ..models.definition import TEXT_TYPES
from .aggregate import scoped, submitted_answers


@dataclass(frozen=True)
class UnitText:
    unit_name: str
    unit_code: str
    text: str


@dataclass
class TextItem:
    """One text item with its answers, by unit name."""

    code: str
    question: str
    questionnaire: str
    answers: list[UnitText] = field(default_factory=list)


def text_items(round_: Round):
    """(questionnaire, item) for every free-text item of the round, in order."""
    return [
        (questionnaire, item)
        for questionnaire in round_.questionnaires
        for item in questionnaire.items
        if item.type in TEXT_TYPES
    ]


def free_text_answers(round_: Round, admin: Admin | None, language: str = "fi") -> list[TextItem]:
    """Per text item in questionnaire order: its code, its question in `language` and
    the (unit name, unit code, text) of every submitted, non-empty answer, ordered by
    unit name; one query for them all. `admin=None` means every region (the CLI)."""
    items = [
        TextItem(item.code, item.text_in(language), questionnaire.title_in(language))
        for questionnaire, item in text_items(round_)
    ]
    by_code = {item.code: item for item in items}
    if not by_code:
        return items
    query = scoped(
        submitted_answers(
            select(Answer.item_code, Invitation.unit_name, Unit.code, Answer.value), round_
        )
        .where(Answer.item_code.in_(list(by_code)), func.trim(Answer.value) != "")
        # Units are put in order below, in Python: the same on both databases.
        .order_by(Answer.position),
        admin,
    )
    for code, unit_name, unit_code, text in db.session.execute(query):
        by_code[code].answers.append(UnitText(unit_name, unit_code, text))
    for item in items:
        # The same order on both databases, whatever their collation: "ä" after "z".
        item.answers.sort(key=lambda answer: (answer.unit_name.casefold(), answer.unit_code))
    return items
