"""The table `flask invitations status` prints: a line per unit (its mail, whether it
opened the link, its answers, with times) and the totals with the response rate."""

from datetime import datetime

from ..timeutil import format_local
from .mail_state import BOUNCED, FAILED, QUEUED
from .status import RoundStatus, UnitStatus

NAME_WIDTH = 30


def render_report(status: RoundStatus) -> str:
    """A table of the units (times in Helsinki time) and the totals, for a terminal."""
    header = ("CODE", "UNIT", "CONTACT", "MAIL", "OPENED", "RESPONSE")
    rows = [
        (
            unit.code,
            _truncate(unit.name, NAME_WIDTH),
            unit.contact_email,
            _when(unit.mail.state, unit.mail.at),
            _time(unit.opened_at) or "-",
            _response(unit),
        )
        for unit in status.units
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"Round {status.round.slug}: {status.round.title} ({status.round.effective_state()})"]
    lines.append(_line(header, widths))
    for unit, row in zip(status.units, rows, strict=True):
        lines.append(_line(row, widths))
        if unit.mail.reason and unit.mail.state in (FAILED, BOUNCED, QUEUED):
            indent = " " * (sum(widths[:3]) + 6)
            lines.append(f"{indent}reason: {_truncate(' '.join(unit.mail.reason.split()), 160)}")
    t = status.totals
    lines.append("")
    lines.append(
        f"Units {t.units}, invited {t.invited}, mailed {t.mailed}, queued {t.queued}, "
        f"failed {t.failed}, bounced {t.bounced}, opened {t.opened}, draft {t.draft}, "
        f"submitted {t.submitted}; response rate {t.response_rate}% "
        f"({t.submitted} of {t.invited} invited)"
    )
    return "\n".join(lines)


def _response(unit: UnitStatus) -> str:
    parts = []
    if unit.submitted_at is not None:
        parts.append(_when("submitted", unit.submitted_at))
    if unit.draft_saved_at is not None:
        parts.append(_when("draft", unit.draft_saved_at))
    return " + ".join(parts) or "-"


def _when(label: str, moment: datetime | None) -> str:
    return f"{label} {_time(moment)}" if moment else label


def _time(moment: datetime | None) -> str:
    return format_local(moment) if moment else ""


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _line(cells, widths) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
