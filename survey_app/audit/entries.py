"""Listing admin actions (each feature records its own with `AuditEntry.record`); a
regional admin lists only its region's, and its own."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, or_, select

from ..extensions import db
from ..models import Admin, AuditEntry
from ..timeutil import HELSINKI


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    admin_email: str | None = None
    date_from: date | None = None  # Helsinki dates, both days included
    date_to: date | None = None


def parse_date(text: str | None) -> date | None:
    """A YYYY-MM-DD date, None when empty; ValueError when it is not a date."""
    text = (text or "").strip()
    if not text:
        return None
    day = date.fromisoformat(text)
    if not 1900 <= day.year <= 9998:  # keeps the day's bounds computable
        raise ValueError(f"{text} is out of range")
    return day


def _scoped(query: Select, admin: Admin) -> Select:
    """Entries of the admin's region, and its own; a national admin sees all."""
    if admin.is_national:
        return query
    return query.where(or_(AuditEntry.region == admin.region, AuditEntry.admin_id == admin.id))


def visible_entries(admin: Admin, filters: AuditFilter = AuditFilter(), limit: int = 200):
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    query = _scoped(query, admin)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.admin_email:
        query = query.where(AuditEntry.admin_email == filters.admin_email)
    if filters.date_from:
        query = query.where(AuditEntry.at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < _start_of(filters.date_to + timedelta(days=1)))
    return list(db.session.scalars(query))


def filter_choices(admin: Admin) -> dict[str, list[str]]:
    """The actions and admins found among the entries the admin may see (other
    features add actions of their own, so the list comes from the data)."""
    return {
        "actions": _distinct(AuditEntry.action, admin),
        "admins": _distinct(AuditEntry.admin_email, admin),
    }


def _distinct(column, admin: Admin) -> list[str]:
    return list(db.session.scalars(_scoped(select(column).distinct(), admin).order_by(column)))


def _start_of(day: date) -> datetime:
    """Midnight of a Helsinki day, in UTC."""
    return datetime.combine(day, time(), tzinfo=HELSINKI).astimezone(UTC)
