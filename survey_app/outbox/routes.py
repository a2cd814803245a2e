"""The outbox page: what was queued, sent and refused, and the captured mail."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import render_error
from ..extensions import db
from ..web import no_store, run_action
from . import listing
from .listing import MessageNotVisible, OutboxFilter

# Message ids are INTEGER columns (32 bits on PostgreSQL): a larger number in a URL
# names no message (404), instead of overflowing the database driver (500).
MAX_MESSAGE_ID = 2**31 - 1

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")
bp.after_request(no_store)


@bp.get("")
@login_required
def messages():
    filters = _filters(request.args)
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    rows, more = listing.messages(current_user, filters, page)
    return render_template(
        "outbox/list.html",
        filters=filters,
        counts=listing.counts(current_user, filters),
        rows=rows,
        page=page,
        more=more,
        kinds=listing.kinds_for(current_user),
        rounds=listing.round_choices(),
        states=listing.STATES,
        captured=listing.captured_mail_enabled(),
    )


@bp.get(f"/<int(max={MAX_MESSAGE_ID}):message_id>")
@login_required
def message(message_id: int):
    row = listing.visible_message(current_user, message_id)
    return render_template(
        "outbox/message.html",
        row=row,
        captured_enabled=listing.captured_mail_enabled(),
        mail=listing.captured_mail(row.message),
    )


@bp.post(f"/<int(max={MAX_MESSAGE_ID}):message_id>/retry")
@login_required
def retry(message_id: int):
    if request.form.get("back") == "message":
        back = url_for(".message", message_id=message_id)
    else:
        back = _list_url(_filters(request.form))
    return run_action(
        lambda: listing.retry_one(current_user, message_id),
        lambda _none: _("The message was queued again; the mail worker sends it."),
        back,
    )


@bp.post("/retry")
@login_required
def retry_all():
    filters = _filters(request.form)
    return run_action(
        lambda: listing.retry_failed(current_user, filters),
        lambda queued: _("%(count)d failed messages were queued again.", count=queued),
        _list_url(filters),
    )


@bp.errorhandler(MessageNotVisible)
def not_visible(_error):
    """Another region's message, or none: answered as one that does not exist."""
    db.session.rollback()
    return render_error(404)


def _filters(values) -> OutboxFilter:
    """The filters from a query string or form; unknown values mean no filter."""
    state = values.get("state")
    kind = values.get("kind")
    round_slug = values.get("round") or None
    if round_slug and "\x00" in round_slug:  # names no round; PostgreSQL refuses NUL
        round_slug = None
    return OutboxFilter(
        state=state if state in listing.STATES else None,
        kind=kind if kind in listing.kinds_for(current_user) else None,
        round_slug=round_slug[:200] if round_slug else None,
    )


def _list_url(filters: OutboxFilter) -> str:
    args = {"state": filters.state, "kind": filters.kind, "round": filters.round_slug}
    return url_for(".messages", **{name: value for name, value in args.items() if value})
