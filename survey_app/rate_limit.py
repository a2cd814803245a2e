"""Counting failures per client (wrong links, wrong passwords), so a burst of guesses
answers 429.

A count belongs to one client address and one `scope` (wrong links; logins; logins to
one account), in windows of five minutes, and a client is judged by its failures in the
current window and the one before: the last five to ten minutes. (Judged by one fixed
window, a burst that straddles its end would be counted twice from zero.) Only failures
count: a coordinator's valid link is never counted or refused.
"""

import hashlib
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .database import write_apart
from .extensions import db
from .models import LinkFailure
from .models.types import utcnow

WINDOW = timedelta(minutes=5)


def _client_key(scope: str) -> str:
    address = request.remote_addr or "unknown"
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}:{scope}:{address}".encode()).hexdigest()


def _window_start():
    now = utcnow()
    minutes = WINDOW.seconds // 60
    return now - timedelta(
        minutes=now.minute % minutes, seconds=now.second, microseconds=now.microsecond
    )


def record_failure(scope: str = "link") -> int:
    """Count one failure of this kind for this client; return its failures in this window
    and the one before. The caller commits (the count must stick though the request
    then fails)."""
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
    return _recent(client, window)


def failures(scope: str) -> int:
    """This client's failures of this kind in this window and the one before, counting
    none."""
    return _recent(_client_key(scope), _window_start())


def _recent(client: str, window) -> int:
    query = select(func.coalesce(func.sum(LinkFailure.count), 0)).where(
        LinkFailure.client == client, LinkFailure.window_start >= window - WINDOW
    )
    return int(db.session.scalar(query))


def forget(scope: str) -> None:
    """This client's failures of this kind are forgiven (the caller commits)."""
    db.session.execute(delete(LinkFailure).where(LinkFailure.client == _client_key(scope)))


def too_many_failures(count: int) -> bool:
    return count > current_app.config["LINK_FAILURE_LIMIT"]
