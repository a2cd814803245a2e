"""What importing checked rows would do to the roster, worked out before anything is
written: new units, changed units (each field's old and new value), unchanged units,
and the units the file leaves out (they are left as they are).

`plan_import` is pure: it compares records with a snapshot of the roster, so the web's
preview and its confirmation compute the same plan, and a changed roster shows as a
changed fingerprint.
"""

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from ..database import after_bulk_write
from ..extensions import db
from ..invitations.services import follow_roster
from ..models import Unit
from .problems import Problem

# The values a file (or the admin's form) sets; the code is the unit's identity.
FIELDS = (
    "name",
    "field",
    "status",
    "region",
    "municipality",
    "contact_name",
    "contact_email",
    "language",
)


@dataclass
class UnitUpdate:
    row: int
    code: str
    name: str
    region: str
    changes: list[tuple[str, str, str]]  # (field, old, new)
    reactivate: bool
    record: dict


@dataclass
class ImportPlan:
    new: list[tuple[int, dict]] = field(default_factory=list)
    updates: list[UnitUpdate] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Active units (of the admin's region) the file does not list: left as they are.
    left_out: list[tuple[str, str]] = field(default_factory=list)
    # Region names no unit of the roster has had before: a typo, or a new region.
    problems: list[Problem] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Everything the import would write, and what it would overwrite."""
        content = {
            "new": [record for _row, record in self.new],
            "updates": [[u.code, u.changes, u.reactivate] for u in self.updates],
            "unchanged": self.unchanged,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def snapshot(unit: Unit) -> dict:
    return {
        **{name: getattr(unit, name) for name in FIELDS},
        "deactivated": unit.deactivated_at is not None,
    }


def current_units() -> dict[str, dict]:
    """The roster as the plan compares it: every unit by code (a roster has hundreds)."""
    return {unit.code: snapshot(unit) for unit in db.session.scalars(select(Unit))}


def plan_import(
    checked: list[tuple[int, dict]], current: dict[str, dict], region: str | None = None
) -> ImportPlan:
    """Compare checked rows with the roster. With `region` (a regional admin), a row of
    another region, or whose code belongs to another region's unit, is a problem of
    its row, and only that region's units are left out or changed."""
    plan = ImportPlan()
    listed = set()
    for row, record in checked:
        code = record["code"]
        listed.add(code)
        unit = current.get(code)
        if region is not None:
            if record["region"] != region:
                plan.problems.append(
                    Problem(
                        "other_region",
                        row=row,
                        fields=("region",),
                        params={"value": record["region"], "region": region},
                    )
                )
                continue
            if unit is not None and unit["region"] != region:
                problem = Problem("code_in_other_region", row=row, params={"code": code})
                plan.problems.append(problem)
                continue
        if unit is None:
            plan.new.append((row, record))
            continue
        changes = [
            (name, unit[name], record[name]) for name in FIELDS if unit[name] != record[name]
        ]
        if changes or unit["deactivated"]:
            plan.updates.append(
                UnitUpdate(
                    row=row,
                    code=code,
                    name=record["name"],
                    region=record["region"],
                    changes=changes,
                    reactivate=unit["deactivated"],
                    record=record,
                )
            )
        else:
            plan.unchanged.append(code)
    plan.left_out = sorted(
        (code, unit["name"])
        for code, unit in current.items()
        if code not in listed
        and not unit["deactivated"]
        and (region is None or unit["region"] == region)
    )
    return plan


def apply_plan(plan: ImportPlan) -> list[Unit]:
    """Write a plan without problems; returns the new units."""
    if plan.problems:
        raise ValueError("a plan with problems is not applied")
    created = [Unit(**record) for _row, record in plan.new]
    db.session.add_all(created)
    if plan.updates:
        units = {
            unit.code: unit
            for unit in db.session.scalars(
                select(Unit).where(Unit.code.in_([update.code for update in plan.updates]))
            )
        }
        for update in plan.updates:
            unit = units[update.code]
            for name in FIELDS:
                setattr(unit, name, update.record[name])
            unit.deactivated_at = None
        follow_roster(list(units.values()))
    db.session.flush()
    after_bulk_write("units", len(created) + len(plan.updates))
    return created
