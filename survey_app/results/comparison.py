"""The report's comparison with the previous round: which round that is, and which
items may be compared with it. An item is compared only when both rounds asked it with
the same options (`Item.comparable_with`); otherwise the report says it is new or
changed, and shows no change in percentage points."""

from sqlalchemy import select

from ..extensions import db
from ..models import Admin, Round
from ..models.definition import Item
from . import aggregate
from .aggregate import ItemCounts


def previous_round(round_: Round) -> Round | None:
    """The latest earlier round (by deadline) that pins the same criteria questionnaire
    key and was opened (a draft has no answers to compare with)."""
    earlier = db.session.scalars(
        select(Round)
        .where(Round.deadline < round_.deadline, Round.id != round_.id, Round.state != "draft")
        .order_by(Round.deadline.desc())
    )
    return next((r for r in earlier if aggregate.criteria_questionnaire(r) is not None), None)


class Comparison:
    """The previous round's numbers (as `admin` may see them) and the items it asked."""

    def __init__(self, round_: Round, admin: Admin | None):
        self.previous = previous_round(round_)
        self.before: dict[str, ItemCounts] = {}
        self.asked: dict[str, Item] = {}
        if self.previous is not None:
            self.before = aggregate.item_counts(self.previous, admin).get(None, {})
            questionnaire = aggregate.criteria_questionnaire(self.previous)
            self.asked = {item.code: item for item in questionnaire.items}

    def of(self, item: Item, numbers: ItemCounts) -> tuple[int | None, str | None]:
        """The change in percentage points of "yes", or why there is none to show:
        "new" (not asked before) or "changed" (asked with other options)."""
        if self.previous is None:
            return None, None
        earlier = self.asked.get(item.code)
        if earlier is None:
            return None, "new"
        if not item.comparable_with(earlier):
            return None, "changed"
        counted = self.before.get(item.code)
        has_one_yes = "yes" in item.option_values() and not item.is_multiple
        if has_one_yes and counted is not None and counted.answered and numbers.answered:
            return numbers.percent("yes") - counted.percent("yes"), None
        return None, None
