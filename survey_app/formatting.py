"""How numbers and times are shown: whole percents by the results' rule, and times in
Helsinki time worded for the page's language (also as Jinja filters)."""

from datetime import date, datetime
from functools import lru_cache

from flask import Flask, current_app
from flask_babel import format_date, format_datetime

from .i18n import current_language

PATTERNS = {
    "fi": "d.M.yyyy 'klo' H.mm",
    "sv": "d.M.yyyy 'kl.' H.mm",
    "en": "d MMMM yyyy, HH:mm",
}


def percent(count: int, answered: int) -> int:
    """Whole percent, half up, in integers (no float can round 92.5 down): the rule of
    every percent the service shows (BRIEF.md's results JSON)."""
    if answered <= 0:
        return 0
    return (200 * count + answered) // (2 * answered)


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]  # no per-request zone is chosen
    return _local_datetime(moment, current_language(), zone)


@lru_cache(maxsize=4096)
def _local_datetime(moment: datetime, language: str, _zone: str) -> str:
    """Kept: every unit of a round sees its same deadline, and Babel took a fortieth of
    the respondent page's time to write it."""
    return format_datetime(moment, PATTERNS.get(language, PATTERNS["fi"]))


DAY_PATTERNS = {"fi": "d.M.", "sv": "d.M.", "en": "d MMM"}


def day_month(day: date) -> str:
    """A day of this year or so, short: "7.12." in Finnish and Swedish, "7 Dec" in English."""
    return format_date(day, DAY_PATTERNS.get(current_language(), DAY_PATTERNS["fi"]))


def percent_text(value: int) -> str:
    """A whole percent as the page's language writes it: "92 %" in Finnish and Swedish
    (a no-break space), "92%" in English."""
    if current_language() == "en":
        return f"{value}%"
    return f"{value}\u00a0%"


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(percent_text, "pct")
    app.add_template_filter(day_month, "day_month")
    app.add_template_global(percent, "percent")
