"""A round's dashboard: response rates overall, by region and by field, and who is
still missing, as the admin's scope lets it see them."""

from dataclasses import dataclass
from datetime import datetime

from ..invitations.status import RoundStatus, Totals, UnitStatus, count, round_status
from ..models import Admin, Round
from ..models.types import utcnow
from .scope import scope_units


@dataclass(frozen=True)
class Breakdown:
    name: str
    totals: Totals


@dataclass(frozen=True)
class Dashboard:
    round: Round
    status: RoundStatus
    by_region: list[Breakdown]
    by_field: list[Breakdown]
    missing: list[UnitStatus]
    days_left: int | None

    @property
    def totals(self) -> Totals:
        return self.status.totals


def round_dashboard(round_: Round, admin: Admin, now: datetime | None = None) -> Dashboard:
    status = round_status(round_, scope=lambda query: scope_units(query, admin))
    units = status.units
    now = now or utcnow()
    days_left = None
    if round_.effective_state(now) == "open":
        days_left = max(0, (round_.deadline - now).days)
    return Dashboard(
        round=round_,
        status=status,
        by_region=_breakdown(units, lambda unit: unit.region),
        by_field=_breakdown(units, lambda unit: unit.field),
        missing=[unit for unit in units if unit.invited and unit.submitted_at is None],
        days_left=days_left,
    )


def percent(part: int, whole: int) -> int:
    """Whole percent, rounded half up (as the report rounds)."""
    if not whole:
        return 0
    return (200 * part + whole) // (2 * whole)


def _breakdown(units: list[UnitStatus], key) -> list[Breakdown]:
    groups: dict[str, list[UnitStatus]] = {}
    for unit in units:
        groups.setdefault(key(unit), []).append(unit)
    return [Breakdown(name, count(members)) for name, members in sorted(groups.items())]
