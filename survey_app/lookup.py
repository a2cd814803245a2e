"""Finding a round by the short name a person types or follows (a slug), for the
command line, the pages and the API alike; no such round is a `Refused`."""

from sqlalchemy import select

from .extensions import db
from .models import Round
from .refusals import Refused


def get_round(slug: str) -> Round:
    round_ = db.session.scalar(select(Round).filter_by(slug=slug))
    if round_ is None:
        raise Refused(f"no round with slug {slug!r}", code="no_round")
    return round_
