"""Who sends the survey's emails and whom a unit asks about it: an organisation and a
contact per region, in the unit's language (`contacts.yaml`, or the file named by the
CONTACTS_FILE setting). A coordinator trusts a message that says who sent it."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from flask import current_app

from ..models.definition import localized
from ..questionnaires.classification import stored_value

SHIPPED = Path(__file__).resolve().parent / "contacts.yaml"


@dataclass(frozen=True)
class Sender:
    organisation: str
    contact_name: str
    email: str
    phone: str


def sender_for(region: str, language: str) -> Sender:
    """The organisation and the contact of `region` (a stored region name), in
    `language`."""
    data = _contacts(current_app.config.get("CONTACTS_FILE") or str(SHIPPED))
    contact = data["regions"].get(region) or data["contact"]
    return Sender(
        organisation=_text(data["organisation"], language),
        contact_name=_text(contact.get("name"), language),
        email=contact.get("email") or current_app.config["MAIL_DEFAULT_SENDER"],
        phone=contact.get("phone") or "",
    )


def _text(value, language: str) -> str:
    return localized(value, language) if isinstance(value, dict) else (value or "")


def check_contacts(app) -> None:
    """Read the contacts file when the app starts: a missing or broken file stops the
    service with its reason, rather than failing every email later, one by one."""
    path = app.config.get("CONTACTS_FILE") or str(SHIPPED)
    try:
        _contacts(path)
    except (OSError, ValueError, yaml.YAMLError, AttributeError, TypeError) as error:
        raise RuntimeError(f"CONTACTS_FILE {path}: {error}") from None


@cache
def _contacts(path: str) -> dict:
    """The file read once per process; its regions keyed by the roster's names."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError("expected a mapping with organisation, contact and regions")
    regions = {}
    for key, contact in (data.get("regions") or {}).items():
        stored = stored_value("region", str(key))
        if stored is None:
            raise ValueError(f"{path}: unknown region {key!r}")
        regions[stored] = contact or {}
    return {
        "organisation": data.get("organisation") or {},
        "contact": data.get("contact") or {},
        "regions": regions,
    }
