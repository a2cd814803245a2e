"""Recording and listing admin actions; a regional admin lists only its region's."""

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Admin, AuditEntry


def record(
    admin: Admin,
    action: str,
    target: str,
    region: str | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction: it lands with the change or not at all."""
    entry = AuditEntry(
        admin_id=admin.id,
        admin_email=admin.email,
        action=action,
        target=target,
        region=region,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def visible_entries(admin: Admin, action: str | None = None, limit: int = 200):
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if not admin.is_national:
        query = query.where(or_(AuditEntry.region == admin.region, AuditEntry.admin_id == admin.id))
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))
