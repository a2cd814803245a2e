"""Times are stored in UTC and shown, and typed by admins, in Helsinki time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def parse_local(text: str) -> datetime:
    """Parse 'YYYY-MM-DDTHH:MM' (Helsinki time) into an aware UTC datetime."""
    naive = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")
    return naive.replace(tzinfo=HELSINKI).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(HELSINKI)


def format_local(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")
