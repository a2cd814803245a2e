"""What every command does on bad input: roll back, say why in one line, exit 1."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from .extensions import db


def fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


@contextmanager
def refusing(*errors: type[Exception]) -> Iterator[None]:
    """Turn the given service errors into `fail(str(error))`."""
    try:
        yield
    except errors as error:
        fail(str(error))
