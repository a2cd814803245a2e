"""`flask pdf work`: draws the PDFs that requests queued, one at a time.

A worker claims a queued document for a lease (PDF_LEASE_SECONDS, longer than any
drawing); a worker that dies mid-drawing leaves a claim that expires, and another
worker draws it again. Drawing needs no lock held: the claim is the lock.
"""

import os
import socket
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import Document
from ..models.types import utcnow
from . import CannotDraw, draw, store

ERROR_LENGTH = 1_000


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(name: str) -> int | None:
    """The oldest queued document nobody holds, now held by `name`; None if none."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["PDF_LEASE_SECONDS"])
    document_id = db.session.scalar(
        select(Document.id)
        .where(
            Document.status == "queued",
            Document.claimed_until.is_(None) | (Document.claimed_until < now),
        )
        .order_by(Document.requested_at, Document.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if document_id is not None:
        db.session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(claimed_by=name, claimed_until=now + lease)
        )
    db.session.commit()
    return document_id


def draw_one(name: str) -> bool:
    """Draw one queued document; whether there was one."""
    document_id = claim(name)
    if document_id is None:
        return False
    html = db.session.scalar(select(Document.html).filter_by(id=document_id))
    db.session.commit()  # hold no transaction while drawing
    try:
        if not html:
            raise ValueError("no page to draw")
        # Drawn: the page is not kept. Failed: it is, for a drawing asked for again.
        values = {"status": "ready", "content": draw(html), "drawn_at": utcnow(), "html": None}
    except CannotDraw:
        values = {"status": "failed", "error": "WeasyPrint cannot be loaded on this server"}
    except Exception as error:  # noqa: BLE001 - a page that cannot be drawn fails alone
        current_app.logger.exception("drawing PDF document %s failed", document_id)
        values = {"status": "failed", "error": f"{type(error).__name__}: {error}"[:ERROR_LENGTH]}
    # Only while still ours: a replaced (deleted) or re-claimed document is left alone.
    finished = db.session.execute(
        update(Document)
        .where(Document.id == document_id, Document.claimed_by == name)
        .values(claimed_by=None, claimed_until=None, **values)
        .returning(Document.slot)
    ).scalar()
    if finished is not None and values["status"] == "ready":
        store.replace_older(document_id, finished)
    db.session.commit()
    return True


def work(once: bool, poll_seconds: float) -> int:
    """Draw queued documents until none is left (`once`) or forever; how many were drawn."""
    name, drawn = worker_name(), 0
    while True:
        if draw_one(name):
            drawn += 1
            continue
        if once:
            return drawn
        time.sleep(poll_seconds)
