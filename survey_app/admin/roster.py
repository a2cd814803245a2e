"""The roster as an admin sees it: search and filters, within the admin's region."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Admin, Unit
from .scope import scope_units


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""
    region: str = ""
    field: str = ""
    status: str = ""
    include_deactivated: bool = False


def roster(admin: Admin, filters: RosterFilter) -> list[Unit]:
    query = scope_units(select(Unit), admin).order_by(Unit.code)
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
    return list(db.session.scalars(query))


def filter_choices(admin: Admin) -> dict[str, list[str]]:
    """The regions and fields present in the admin's part of the roster."""
    return {
        name: list(
            db.session.scalars(scope_units(select(column).distinct(), admin).order_by(column))
        )
        for name, column in (("regions", Unit.region), ("fields", Unit.field))
    }
