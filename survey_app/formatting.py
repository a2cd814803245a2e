"""Jinja filters: times in Helsinki time, worded for the page's language."""

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime

from .i18n import current_language

PATTERNS = {
    "fi": "d.M.yyyy 'klo' H.mm",
    "sv": "d.M.yyyy 'kl.' H.mm",
    "en": "d MMMM yyyy, HH:mm",
}


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return format_datetime(moment, PATTERNS.get(current_language(), PATTERNS["fi"]))


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
