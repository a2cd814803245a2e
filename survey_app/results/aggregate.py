"""The round's numbers, counted by the database: `GROUP BY` over the submitted answer
rows, the same SQL on SQLite and PostgreSQL, never a loop over responses in Python.

Only submitted answers count: `Answer` rows hold a response's latest submission (a
draft lives in `Response.draft`), so joining answers to submitted responses is exact.
Percentages are whole percent of those who answered the item, rounded half up
(BRIEF.md's results JSON). With an admin, every number is of its region's units only.

A unit's field, region and status, and whether it counts at all (not deactivated), are
read from its invitation: as they were for the round, frozen once the round closed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, distinct, func, select

from ..extensions import db
from ..formatting import percent
from ..models import Admin, Answer, Invitation, Response, Round, Unit
from ..models.definition import Item, Questionnaire
from ..models.unit import UNIT_STATUSES

CRITERIA_KEY = "criteria"
GROUPINGS = {
    "field": Invitation.unit_field,
    "region": Invitation.unit_region,
    "status": Invitation.unit_status,
}


def scoped(query: Select, admin: Admin | None) -> Select:
    """`admin`'s region's units only, by the region each had for the round
    (`Admin.scope_invitations`); `None` (the CLI): every region."""
    if admin is None:
        return query
    return admin.scope_invitations(query)


def counted(round_: Round) -> Select:
    """The round's invitations that count: of units that were not deactivated (while
    the round was open; as they are now, for an open round)."""
    return select(Invitation).where(
        Invitation.round_id == round_.id, Invitation.unit_deactivated_at.is_(None)
    )


def submitted_responses(query: Select, round_: Round) -> Select:
    """Restrict a query over `Response` to the round's submitted responses (a draft
    never counts) of the units it counts: what every result counts."""
    return (
        query.join(Invitation, Response.invitation_id == Invitation.id)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(
            Invitation.round_id == round_.id,
            Invitation.submitted_at.is_not(None),
            Invitation.unit_deactivated_at.is_(None),
        )
    )


def submitted_answers(query: Select, round_: Round) -> Select:
    """Restrict a query over `Answer` to the round's submitted responses."""
    return submitted_responses(query.join(Response, Answer.response_id == Response.id), round_)


@dataclass
class ItemCounts:
    """One item's numbers within one group of units."""

    answered: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def percent(self, value: str) -> int:
        return percent(self.counts.get(value, 0), self.answered)


def item_counts(
    round_: Round, admin: Admin | None = None, group_by: str | None = None
) -> dict[str | None, dict[str, ItemCounts]]:
    """{group: {item code: ItemCounts}} for every choice item answered in the round;
    group is None without `group_by`, else the units' field, region or status."""
    group_column = GROUPINGS[group_by] if group_by else None
    extra = [group_column] if group_column is not None else []
    # Free texts are not counted: grouping by them would bring every text back.
    choices = Answer.item_code.in_(
        [item.code for q in round_.questionnaires for item in q.items if item.is_choice]
    )
    answered_query = scoped(
        submitted_answers(
            select(*extra, Answer.item_code, func.count(distinct(Answer.response_id))),
            round_,
        )
        .where(choices)
        .group_by(*extra, Answer.item_code),
        admin,
    )
    value_query = scoped(
        submitted_answers(
            select(*extra, Answer.item_code, Answer.value, func.count(Answer.id)),
            round_,
        )
        .where(choices)
        .group_by(*extra, Answer.item_code, Answer.value),
        admin,
    )
    result: dict[str | None, dict[str, ItemCounts]] = defaultdict(dict)
    for row in db.session.execute(answered_query):
        group, code, answered = (row[0], row[1], row[2]) if extra else (None, row[0], row[1])
        result[group][code] = ItemCounts(answered=answered)
    for row in db.session.execute(value_query):
        group, code, value, count = (
            (row[0], row[1], row[2], row[3]) if extra else (None, row[0], row[1], row[2])
        )
        result[group].setdefault(code, ItemCounts()).counts[value] = count
    return dict(result)


def responded(round_: Round, admin: Admin | None = None, group_by: str | None = None):
    """Units that submitted: a number, or {group: number} with `group_by`."""
    group_column = GROUPINGS[group_by] if group_by else None
    extra = [group_column] if group_column is not None else []
    query = scoped(
        counted(round_)
        .with_only_columns(*extra, func.count(Invitation.id))
        .where(Invitation.submitted_at.is_not(None)),
        admin,
    )
    if not extra:
        return db.session.scalar(query) or 0
    return {group: count for group, count in db.session.execute(query.group_by(*extra))}


def units_by(round_: Round, admin: Admin | None, group_by: str) -> dict[str, dict[str, int]]:
    """{field or region: {"active": n, "preparing": n}} of the round's invited units."""
    column = GROUPINGS[group_by]
    query = (
        scoped(counted(round_), admin)
        .with_only_columns(column, Invitation.unit_status, func.count())
        .group_by(column, Invitation.unit_status)
        .order_by(column)
    )
    table: dict[str, dict[str, int]] = {}
    for name, status, count in db.session.execute(query):
        table.setdefault(name, dict.fromkeys(UNIT_STATUSES, 0))[status] = count
    return table


def invited(round_: Round, admin: Admin | None = None) -> int:
    query = scoped(counted(round_), admin).with_only_columns(func.count(Invitation.id))
    return db.session.scalar(query) or 0


def criteria_questionnaire(round_: Round) -> Questionnaire | None:
    return next((q for q in round_.questionnaires if q.key == CRITERIA_KEY), None)


def criterion_items(round_: Round) -> list[tuple[int, Item]]:
    """(criterion number, item) for every choice item of the criteria questionnaire, in
    questionnaire order; the number comes from the section code (k1 → 1)."""
    questionnaire = criteria_questionnaire(round_)
    if questionnaire is None:
        return []
    items = []
    for number, section in enumerate(questionnaire.sections, start=1):
        digits = "".join(ch for ch in section.code if ch.isdigit())
        criterion = int(digits) if digits else number
        items += [(criterion, item) for item in section.items if item.is_choice]
    return items


def round_results(round_: Round, admin: Admin | None = None) -> dict:
    """The results JSON of BRIEF.md: the contract of `results export` and the API."""
    counts = item_counts(round_, admin).get(None, {})
    items = []
    for criterion, item in criterion_items(round_):
        numbers = counts.get(item.code, ItemCounts())
        values = item.option_values()
        items.append(
            {
                "code": item.code,
                "criterion": criterion,
                "answered": numbers.answered,
                "counts": {value: numbers.counts.get(value, 0) for value in values},
                "percent": {value: numbers.percent(value) for value in values},
            }
        )
    return {
        "round": round_.slug,
        "invited": invited(round_, admin),
        "responded": responded(round_, admin),
        "units": {
            "by_field": units_by(round_, admin, "field"),
            "by_region": units_by(round_, admin, "region"),
        },
        "items": items,
    }
