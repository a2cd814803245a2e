"""The report of a round ("Kriteerien toteutuminen"), as plain data for the template.

Every number comes from `aggregate` (counted by the database, region-scoped by the
admin); this module only arranges them the way the seed report reads: per criterion
its items with "N % vastanneista", the planned share, a bar, the change since the
previous round in percentage points, and breakdowns by field, region and status with
small groups suppressed (`suppression`). Texts are in the page's language.
"""

from dataclasses import dataclass, field
from datetime import datetime

from ..models import Admin, Round
from ..models.types import utcnow
from . import aggregate
from .aggregate import ItemCounts
from .comparison import Comparison
from .suppression import hidden_groups, hide_while_uniform, total_gives_away

BREAKDOWNS = ("field", "region", "status")


@dataclass
class OptionShare:
    value: str
    label: str
    count: int
    percent: int


@dataclass
class ItemReport:
    code: str
    text: str
    answered: int
    options: list[OptionShare]
    # Percentage points of "yes" since the previous round (None: nothing to compare).
    change: int | None = None
    # Why it is not compared: "new" (the previous round did not ask it) or "changed"
    # (it asked it with other options); None when compared or there is no previous round.
    not_compared: str | None = None
    # Several options may be chosen: the shares add up to more than 100 %.
    multiple: bool = False

    def share(self, value: str) -> OptionShare | None:
        return next((option for option in self.options if option.value == value), None)

    @property
    def yes(self) -> OptionShare | None:
        return self.share("yes")

    @property
    def planned(self) -> OptionShare | None:
        return self.share("planned")


@dataclass
class BreakdownRow:
    name: str
    respondents: int
    hidden: bool
    # Per item of the criterion: (yes percent, answered); None when hidden.
    cells: list[tuple[int, int] | None]


@dataclass
class Breakdown:
    key: str  # field, region or status
    rows: list[BreakdownRow]
    total: BreakdownRow


@dataclass
class CriterionReport:
    number: int
    title: str
    items: list[ItemReport] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)

    @property
    def compared_items(self) -> list[ItemReport]:
        """The breakdown tables' columns: the items with one "yes" share to compare."""
        return [item for item in self.items if item.yes and not item.multiple]


@dataclass
class UnitCount:
    name: str
    active: int
    preparing: int

    @property
    def total(self) -> int:
        return self.active + self.preparing


@dataclass
class Report:
    round: Round
    preliminary: bool
    invited: int
    responded: int
    criteria: list[CriterionReport]
    units_by_field: list[UnitCount]
    units_by_region: list[UnitCount]
    previous: Round | None
    minimum: int
    as_of: datetime = field(default_factory=utcnow)

    @property
    def dated(self) -> datetime:
        """The round's own date, for the headings: when it closed, or its deadline
        (never the day the report happens to be read)."""
        return self.round.closed_time() or self.round.deadline

    @property
    def numbers_as_of(self) -> datetime:
        """A closed round's numbers are final as of its close; an open one's, now."""
        return self.round.closed_time() or self.as_of

    @property
    def units_active(self) -> int:
        return sum(row.active for row in self.units_by_field)

    @property
    def units_preparing(self) -> int:
        return sum(row.preparing for row in self.units_by_field)


def change_text(change: int) -> str:
    """Signed percentage points as the report writes them: +5, −3 (minus sign), ±0."""
    if change > 0:
        return f"+{change}"
    if change < 0:
        return f"\u2212{-change}"
    return "\u00b10"


def _sections(round_: Round, language: str) -> dict[int, str]:
    """Criterion number → the section's title (numbered as `aggregate.criterion_items`)."""
    questionnaire = aggregate.criteria_questionnaire(round_)
    titles = {}
    for position, section in enumerate(questionnaire.sections if questionnaire else (), 1):
        digits = "".join(ch for ch in section.code if ch.isdigit())
        titles[int(digits) if digits else position] = section.title_in(language)
    return titles


def _unit_counts(table: dict[str, dict[str, int]], by_total: bool = False) -> list[UnitCount]:
    """The seed's order, largest first, by the number the row shows first: fields by
    active units, ties by preparing ("Vammaispalvelut 4 (+4)" before "Varhaiskasvatus 4
    (+2)"); regions by all their units (the seed lists one number per region, and those
    add up to all units). Remaining ties by name."""
    rows = [
        UnitCount(name, counts.get("active", 0), counts.get("preparing", 0))
        for name, counts in table.items()
    ]
    if by_total:
        return sorted(rows, key=lambda row: (-row.total, row.name))
    return sorted(rows, key=lambda row: (-row.active, -row.preparing, row.name))


def _breakdown(key: str, grouped, codes: list[str], minimum: int, totals) -> Breakdown:
    respondents, counts = grouped
    hidden = hide_while_uniform(
        respondents, hidden_groups(respondents, minimum), counts, codes, totals
    )

    def cells(numbers: dict[str, ItemCounts]) -> list[tuple[int, int]]:
        out = []
        for code in codes:
            item = numbers.get(code, ItemCounts())
            out.append((item.percent("yes"), item.answered))
        return out

    rows = []
    for name in sorted(respondents, key=lambda group: (-respondents[group], group)):
        is_hidden = name in hidden
        rows.append(
            BreakdownRow(
                name=name,
                respondents=respondents[name],
                hidden=is_hidden,
                cells=[None] * len(codes) if is_hidden else cells(counts.get(name, {})),
            )
        )
    hide_total = total_gives_away(respondents, hidden)
    total = BreakdownRow(
        name="",
        respondents=sum(respondents.values()),
        hidden=hide_total,
        cells=[None] * len(codes) if hide_total else cells(totals),
    )
    return Breakdown(key=key, rows=rows, total=total)


def build_report(round_: Round, admin: Admin | None, language: str, minimum: int = 5) -> Report:
    """The whole report of `round_` as `admin` may see it, in `language`."""
    counted = aggregate.item_counts_by(round_, admin, BREAKDOWNS)
    totals = counted[None].get(None, {})
    comparison = Comparison(round_, admin)
    titles = _sections(round_, language)
    criteria: dict[int, CriterionReport] = {}
    for number, item in aggregate.criterion_items(round_):
        criterion = criteria.setdefault(number, CriterionReport(number, titles.get(number, "")))
        numbers = totals.get(item.code, ItemCounts())
        change, not_compared = comparison.of(item, numbers)
        criterion.items.append(
            ItemReport(
                code=item.code,
                text=item.text_in(language),
                answered=numbers.answered,
                options=[
                    OptionShare(
                        value=option.value,
                        label=option.label_in(language),
                        count=numbers.counts.get(option.value, 0),
                        percent=numbers.percent(option.value),
                    )
                    for option in item.options
                ],
                change=change,
                not_compared=not_compared,
                multiple=item.is_multiple,
            )
        )
    units = aggregate.unit_counts(round_, admin)
    grouped = {key: (units.responded_by[key], counted[key]) for key in BREAKDOWNS}
    for criterion in criteria.values():
        codes = [item.code for item in criterion.compared_items]
        if not codes:
            continue
        criterion.breakdowns = [
            _breakdown(key, grouped[key], codes, minimum, totals) for key in BREAKDOWNS
        ]
    return Report(
        round=round_,
        preliminary=round_.effective_state() != "closed",
        invited=units.invited,
        responded=units.responded,
        criteria=[criteria[number] for number in sorted(criteria)],
        units_by_field=_unit_counts(units.by_field),
        units_by_region=_unit_counts(units.by_region, by_total=True),
        previous=comparison.previous,
        minimum=minimum,
    )
