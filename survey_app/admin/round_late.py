"""Letting one unit answer after the deadline: national admins for any unit, a
regional admin for its own region's units (any other unit is a 404)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Invitation, Round, Unit
from ..rounds import services
from ..timeutil import format_local
from . import audit
from .round_forms import LateForm
from .round_pages import attempt, done, late_choices, manage_page, refuse
from .scope import scope_units
from .web import round_or_404


def allow(slug: str):
    """Let the chosen unit answer until the given time."""
    round_ = round_or_404(slug)
    form = LateForm()
    form.late_unit.choices = late_choices(round_)
    code = form.late_unit.data
    invitation = _visible_invitation(round_, code) if code else None
    if round_.state != "open":
        return refuse(round_, _("Units can answer late only in an open round."))
    until = form.check(round_)
    if until is None or invitation is None:
        return manage_page(round_, status=422, late_form=form, failed=form)
    return _set_late(round_, invitation, until)


def end(slug: str, code: str):
    """The unit may no longer answer late."""
    round_ = round_or_404(slug)
    invitation = _visible_invitation(round_, code)
    return _set_late(round_, invitation, None)


def _set_late(round_: Round, invitation: Invitation, until):
    before = invitation.late_until
    if before is None and until is None:
        flash(_("Nothing was changed."), "success")
        return redirect(url_for("admin_rounds.manage", slug=round_.slug), code=303)
    ok, result = attempt(round_, lambda: services.allow_late(invitation, until))
    if not ok:
        return result
    audit.record(
        current_user,
        "late answers",
        f"round {round_.slug}: unit {invitation.unit.code}",
        invitation.unit.region,
        before={"late_until": format_local(before) if before else None},
        after={"late_until": format_local(until) if until else None},
    )
    name = invitation.unit.name
    if until is None:
        return done(round_, _("%(unit)s may no longer answer late.", unit=name))
    return done(
        round_,
        _("%(unit)s may answer until %(time)s.", unit=name, time=format_local(until)),
    )


def _visible_invitation(round_: Round, code: str | None) -> Invitation:
    """The round's invitation of a unit this admin may see; 404 for any other."""
    query = scope_units(
        select(Invitation)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(Invitation.round_id == round_.id, Unit.code == (code or "")),
        current_user,
    )
    invitation = db.session.scalar(query)
    if invitation is None:
        abort(404)
    return invitation
