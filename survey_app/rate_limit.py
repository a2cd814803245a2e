"""Counting failures per client (wrong links, wrong passwords), so a burst of guesses
answers 429.

A count belongs to one client address and one `scope` (wrong links; logins; logins to
one account), in windows of ten minutes. Only failures count: a coordinator's valid
link is never counted or refused.
"""

import hashlib
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .database import write_apart
from .extensions import db
from .models import LinkFailure
from .models.types import utcnow

WINDOW = timedelta(minutes=10)


def _client_key(scope: str) -> str:
    address = request.remote_addr or "unknown"
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}:{scope}:{address}".encode()).hexdigest()


def _window_start():
    now = utcnow()
    return now - timedelta(
        minutes=now.minute % 10, seconds=now.second, microseconds=now.microsecond
    )


def record_failure(scope: str = "link") -> int:
    """Count one failure of this kind for this client; return the count in the current
    window. The caller commits (the count must stick though the request then fails)."""
    client, window = _client_key(scope), _window_start()
    write_apart()  # a wrong link is a GET that writes
    for _attempt in range(2):
        updated = db.session.execute(
            update(LinkFailure)
            .where(LinkFailure.client == client, LinkFailure.window_start == window)
            .values(count=LinkFailure.count + 1)
        )
        if updated.rowcount:
            break
        try:
            with db.session.begin_nested():
                db.session.add(LinkFailure(client=client, window_start=window, count=1))
            db.session.execute(
                delete(LinkFailure).where(LinkFailure.window_start < window - WINDOW)
            )
            break
        except IntegrityError:
            continue  # another request made the row first: count on it
    return (
        db.session.scalar(
            select(LinkFailure.count).where(
                LinkFailure.client == client, LinkFailure.window_start == window
            )
        )
        or 0
    )


def failures(scope: str) -> int:
    """This client's failures of this kind in the current window, counting none."""
    query = select(LinkFailure.count).where(
        LinkFailure.client == _client_key(scope), LinkFailure.window_start == _window_start()
    )
    return db.session.scalar(query) or 0


def forget(scope: str) -> None:
    """This client's failures of this kind are forgiven (the caller commits)."""
    db.session.execute(delete(LinkFailure).where(LinkFailure.client == _client_key(scope)))


def too_many_failures(count: int) -> bool:
    return count > current_app.config["LINK_FAILURE_LIMIT"]
