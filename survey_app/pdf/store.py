"""Kept PDFs: found by a digest of what they show, replaced when that changes.

The key covers the page's data (`shows`, from the caller), the slot (which page, for
which reader, in which language) and the release that draws it (its code, templates,
styles and translations), so a new release redraws. Writes here may come from a GET (a
download), so each begins with `write_apart` (on SQLite a reading request may not
write in its reading transaction).
"""

import hashlib
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..database import write_apart
from ..extensions import db
from ..models import Document
from ..models.types import utcnow


def key_for(slot: str, shows: str) -> str:
    return hashlib.sha256(f"{slot}\n{_drawing_version()}\n{shows}".encode()).hexdigest()


DRAWN_FROM = (".py", ".html", ".css", ".mo", ".yaml")


@cache
def _drawing_version() -> str:
    """A digest of the code, templates, styles, translations and questionnaires: a new
    release that changes any of them (a count, a suppression rule, a word) redraws
    every PDF, closed rounds' included."""
    digest = hashlib.sha256()
    app = current_app
    folders = [Path(app.root_path), Path(app.root_path).parent / "templates"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in DRAWN_FROM:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def find(key: str) -> Document | None:
    return db.session.scalar(select(Document).filter_by(key=key))


def content_of(document: Document) -> bytes:
    return db.session.scalar(select(Document.content).filter_by(id=document.id))


def keep(key: str, slot: str, filename: str, content: bytes) -> Document:
    """Store a PDF drawn now; it replaces the slot's older ones."""
    return _store(
        Document(
            key=key,
            slot=slot,
            filename=filename,
            status="ready",
            content=content,
            drawn_at=utcnow(),
        )
    )


def queue(key: str, slot: str, filename: str, html: str) -> Document:
    """Leave the page for the worker to draw; the slot's older files stay until it is
    drawn (`replace_older`)."""
    document = Document(key=key, slot=slot, filename=filename, status="queued", html=html)
    return _store(document, replacing=False)


def under_way(slot: str) -> Document | None:
    """The slot's drawing that waits for a worker or is being drawn."""
    return db.session.scalar(select(Document).filter_by(slot=slot, status="queued").limit(1))


def drawn_since(slot: str, seconds: int) -> Document | None:
    """The slot's newest file drawn in the last `seconds`."""
    since = utcnow() - timedelta(seconds=seconds)
    return db.session.scalar(
        select(Document)
        .filter_by(slot=slot, status="ready")
        .where(Document.drawn_at >= since)
        .order_by(Document.drawn_at.desc())
        .limit(1)
    )


def replace_older(document_id: int, slot: str) -> None:
    """A newly drawn file of the slot replaces its older ones (the caller commits)."""
    db.session.execute(
        delete(Document).where(
            Document.slot == slot, Document.id != document_id, Document.status != "queued"
        )
    )


def _store(document: Document, replacing: bool = True) -> Document:
    key, slot = document.key, document.slot
    write_apart()
    if replacing:
        db.session.execute(delete(Document).where(Document.slot == slot, Document.key != key))
    db.session.add(document)
    try:
        db.session.commit()
    except IntegrityError:  # the same PDF, stored by another request a moment ago
        db.session.rollback()
        return find(key)
    return document


def queue_again(document: Document) -> None:
    """A failed drawing, asked for again: back to the worker."""
    document_id = document.id
    write_apart()
    db.session.execute(
        update(Document)
        .where(Document.id == document_id, Document.status == "failed")
        .values(status="queued", error=None, claimed_by=None, claimed_until=None)
    )
    db.session.commit()
    db.session.refresh(document)
