"""The roster as an admin sees it: search and filters, within the admin's region; and
one unit's changes (add, edit, deactivate, reactivate, delete), each audited."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..extensions import db
from ..invitations.mailing import contact_email_changed
from ..invitations.services import follow_roster
from ..models import Admin, AuditEntry, Invitation, Unit
from ..models.types import utcnow
from ..refusals import Refused
from .plan import FIELDS, snapshot


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""
    region: str = ""
    field: str = ""
    status: str = ""
    include_deactivated: bool = False

    def query_args(self) -> dict[str, str]:
        """The filters as the list page's query string (what is set), for its links."""
        args = {"q": self.text, "region": self.region, "field": self.field}
        args.update(status=self.status, deactivated="1" if self.include_deactivated else "")
        return {name: value for name, value in args.items() if value}


UNITS_PER_PAGE = 100


@dataclass(frozen=True)
class RosterPage:
    units: list[Unit]
    count: int  # every unit the filters match
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // UNITS_PER_PAGE))


def roster(admin: Admin, filters: RosterFilter, page: int = 1) -> RosterPage:
    """One page of the units matching the filters, by code, and how many match: a
    national roster is listed a hundred at a time."""
    query = _matching(admin, filters)
    count = db.session.scalar(query.with_only_columns(func.count(Unit.id))) or 0
    units = db.session.scalars(
        query.order_by(Unit.code).offset((page - 1) * UNITS_PER_PAGE).limit(UNITS_PER_PAGE)
    )
    return RosterPage(list(units), count, page)


def _matching(admin: Admin, filters: RosterFilter):
    query = admin.scope_units(select(Unit))
    if filters.text:
        pattern = f"%{filters.text.lower()}%"
        query = query.where(
            or_(
                func.lower(Unit.code).like(pattern),
                func.lower(Unit.name).like(pattern),
                func.lower(Unit.municipality).like(pattern),
                func.lower(Unit.contact_name).like(pattern),
                func.lower(Unit.contact_email).like(pattern),
            )
        )
    for column, value in (
        (Unit.region, filters.region),
        (Unit.field, filters.field),
        (Unit.status, filters.status),
    ):
        if value:
            query = query.where(column == value)
    if not filters.include_deactivated:
        query = query.where(Unit.deactivated_at.is_(None))
    return query


def filter_choices(admin: Admin) -> dict[str, list[str]]:
    """The regions and fields present in the admin's part of the roster."""
    return {
        name: list(
            db.session.scalars(admin.scope_units(select(column).distinct()).order_by(column))
        )
        for name, column in (("regions", Unit.region), ("fields", Unit.field))
    }


# --- one unit: add, edit, deactivate, reactivate, delete -------------------------------


def visible_unit(admin: Admin, code: str) -> Unit | None:
    """The unit by code if this admin may see it; another region's unit is None (404).
    (An address with a NUL never gets here: survey_app/security.py answers 404.)"""
    return db.session.scalar(admin.scope_units(select(Unit).where(Unit.code == code)))


def usage(unit: Unit) -> tuple[int, int]:
    """The unit's invitations and submitted responses, over every round."""
    invited, submitted = db.session.execute(
        select(func.count(Invitation.id), func.count(Invitation.submitted_at)).where(
            Invitation.unit_id == unit.id
        )
    ).one()
    return invited, submitted


def code_taken(code: str) -> bool:
    """Codes are unique over the whole roster, whichever region holds the unit. (A code
    with a NUL is no unit's, and is refused by the importer's rules.)"""
    if "\x00" in code:
        return False
    return db.session.scalar(select(Unit.id).where(Unit.code == code)) is not None


def _check_region(admin: Admin, region: str) -> None:
    """A regional admin naming another region is refused: a unit is never moved or
    created there."""
    if not admin.is_national and region != admin.region:
        raise Refused(f"region {region!r} is not the admin's", code="region_not_yours")


def add_unit(admin: Admin, record: dict) -> Unit:
    """A new unit from a checked record (importer.check_values), audited."""
    _check_region(admin, record["region"])
    if code_taken(record["code"]):
        raise Refused(f"code {record['code']!r} is taken", code="code_taken")
    unit = Unit(**record)
    db.session.add(unit)
    db.session.flush()
    AuditEntry.record(admin, "add unit", f"unit {unit.code}", unit.region, after=snapshot(unit))
    return unit


@dataclass(frozen=True)
class UnitEdit:
    changed: list[str]  # the fields that changed (none: nothing was written or audited)
    remailed: int = 0  # invitations mailed again, to the changed address


def edit_unit(admin: Admin, unit: Unit, record: dict) -> UnitEdit:
    """Apply a checked record to a visible unit; the code never changes. A changed
    address gets the unit's pending invitations (mailing.contact_email_changed)."""
    _check_region(admin, record["region"])
    changed = [name for name in FIELDS if getattr(unit, name) != record[name]]
    if not changed:
        return UnitEdit([])
    before = {name: getattr(unit, name) for name in changed}
    for name in changed:
        setattr(unit, name, record[name])
    after = {name: record[name] for name in changed}
    if "region" in changed:  # the old region's admins see the unit leave, too
        AuditEntry.record(admin, "edit unit", f"unit {unit.code}", before["region"], before, after)
    AuditEntry.record(admin, "edit unit", f"unit {unit.code}", unit.region, before, after)
    follow_roster([unit])
    remailed = contact_email_changed(unit) if "contact_email" in changed else []
    return UnitEdit(changed, len(remailed))


def set_active(admin: Admin, unit: Unit, active: bool) -> bool:
    """Deactivate (not invited to new rounds, its links stop working) or reactivate.
    Returns whether anything changed."""
    if (unit.deactivated_at is None) == active:
        return False
    unit.deactivated_at = None if active else utcnow()
    AuditEntry.record(
        admin,
        "reactivate unit" if active else "deactivate unit",
        f"unit {unit.code}",
        unit.region,
        before={"deactivated": active},
        after={"deactivated": not active},
    )
    follow_roster([unit])
    return True


def delete_unit(admin: Admin, unit: Unit) -> None:
    """Only a unit never invited to any round (e.g. added with a mistyped code) may go;
    one with invitations keeps its history and can only be deactivated."""
    if usage(unit)[0]:
        raise Refused(f"unit {unit.code!r} has been invited", code="unit_in_use")
    AuditEntry.record(admin, "delete unit", f"unit {unit.code}", unit.region, before=snapshot(unit))
    db.session.delete(unit)
    db.session.flush()
