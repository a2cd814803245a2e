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
    never counts) of the units it counts: what every result counts. (`Unit` is joined,
    for the unit's code.)"""
    return _submitted(query, round_).join(Unit, Invitation.unit_id == Unit.id)


def _submitted(query: Select, round_: Round) -> Select:
    return query.join(Invitation, Response.invitation_id == Invitation.id).where(
        Invitation.round_id == round_.id,
        Invitation.submitted_at.is_not(None),
        Invitation.unit_deactivated_at.is_(None),
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
    return item_counts_by(round_, admin, (group_by,) if group_by else ())[group_by]


def item_counts_by(
    round_: Round, admin: Admin | None, keys: tuple[str, ...]
) -> dict[str | None, dict[str | None, dict[str, ItemCounts]]]:
    """{None: {None: counts of all}} and {key: {group: counts}} for each of `keys`
    (field, region, status), from one pass over the answer rows grouped by all the
    keys at once, summed here: the groups are disjoint, so their counts add up.

    A single-choice item has one row per response, so its answered count is the sum
    of its values' counts. Only multiple-choice items (a row per chosen value) need
    their responses counted apart."""
    extra = [GROUPINGS[key] for key in keys]
    items = [item for q in round_.questionnaires for item in q.items if item.is_choice]
    # Free texts are not counted: grouping by them would bring every text back.
    choices = [item.code for item in items]
    multiple = {item.code for item in items if item.is_multiple}

    def grouped(*columns, codes):
        answers = select(*extra, *columns).join(Response, Answer.response_id == Response.id)
        query = _submitted(answers, round_).where(Answer.item_code.in_(list(codes)))
        return db.session.execute(scoped(query, admin).group_by(*extra, *columns[:-1]))

    result = {key: defaultdict(dict) for key in (None, *keys)}

    def each(groups, code):
        """The item's counts in every table this row of groups adds to."""
        for key, group in ((None, None), *zip(keys, groups, strict=True)):
            yield result[key][group].setdefault(code, ItemCounts())

    for *groups, code, value, count in grouped(
        Answer.item_code, Answer.value, func.count(), codes=choices
    ):
        for numbers in each(groups, code):
            numbers.counts[value] = numbers.counts.get(value, 0) + count
            if code not in multiple:
                numbers.answered += count
    if multiple:
        for *groups, code, answered in grouped(
            Answer.item_code, func.count(distinct(Answer.response_id)), codes=multiple
        ):
            for numbers in each(groups, code):
                numbers.answered += answered
    return {key: dict(tables) for key, tables in result.items()}


def responded(round_: Round, admin: Admin | None = None, group_by: str | None = None):
    """Units that submitted: a number, or {group: number} with `group_by` (groups
    where some unit did)."""
    units = unit_counts(round_, admin)
    return units.responded_by[group_by] if group_by else units.responded


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


@dataclass(frozen=True)
class UnitCounts:
    invited: int
    responded: int
    by_field: dict[str, dict[str, int]]  # field → {"active": n, "preparing": n}
    by_region: dict[str, dict[str, int]]
    # "field", "region" or "status" → {group: units that submitted}, groups where some did
    responded_by: dict[str, dict[str, int]]


def unit_counts(round_: Round, admin: Admin | None = None) -> UnitCounts:
    """The round's invited and responding units, the invited by field and by region and
    status, and the responding by each: one `GROUP BY` field, region and status over
    the invitations."""
    field_, region, status = (Invitation.unit_field, Invitation.unit_region, Invitation.unit_status)
    numbers = (func.count(), func.count(Invitation.submitted_at))
    query = (
        scoped(counted(round_), admin)
        .with_only_columns(field_, region, status, *numbers)
        .group_by(field_, region, status)
    )
    invited_units = responding = 0
    by_field: dict[str, dict[str, int]] = {}
    by_region: dict[str, dict[str, int]] = {}
    responded_by: dict[str, dict[str, int]] = {key: {} for key in GROUPINGS}
    for field_name, region_name, unit_status, count, submitted in db.session.execute(query):
        invited_units, responding = invited_units + count, responding + submitted
        for table, name in ((by_field, field_name), (by_region, region_name)):
            table.setdefault(name, dict.fromkeys(UNIT_STATUSES, 0))[unit_status] += count
        if submitted:
            groups = {"field": field_name, "region": region_name, "status": unit_status}
            for key, group in groups.items():
                responded_by[key][group] = responded_by[key].get(group, 0) + submitted
    return UnitCounts(
        invited_units,
        responding,
        dict(sorted(by_field.items())),
        dict(sorted(by_region.items())),
        responded_by,
    )


def round_results(round_: Round, admin: Admin | None = None) -> dict:
    """The results JSON of BRIEF.md: the contract of `results export` and the API."""
    counts = item_counts(round_, admin).get(None, {})
    units = unit_counts(round_, admin)
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
        "invited": units.invited,
        "responded": units.responded,
        "units": {"by_field": units.by_field, "by_region": units.by_region},
        "items": items,
    }
