"""Letting one unit answer after the deadline: national admins for any unit, a
regional admin for its own region's units (any other unit is a 404, as is a
deactivated one)."""

from flask_babel import gettext as _
from flask_login import current_user

from ..auth.scope import visible_invitation
from ..timeutil import format_local
from ..web import round_or_404
from . import actions, late
from .late_form import LateForm
from .manage_page import change_round, late_choices, manage_page, refused_before_form


def allow(slug: str):
    """Let the chosen unit answer until the given time."""
    round_ = round_or_404(slug)
    form = LateForm()
    form.late_unit.choices = late_choices(round_)
    code = form.late_unit.data
    if code:
        visible_invitation(round_, current_user, code)  # another region's unit: 404 first
    if refused := refused_before_form(round_, late.check_late_possible):
        return refused
    until = form.check(round_)
    if until is None or not code:
        return manage_page(round_, status=422, late_form=form, failed=form)
    return _set_late(round_, code, until)


def end(slug: str, code: str):
    """The unit may no longer answer late."""
    return _set_late(round_or_404(slug), code, None)


def _set_late(round_, code: str, until):
    return change_round(
        round_,
        lambda: actions.allow_late(current_user, round_, code, until),
        _said,
    )


def _said(late: actions.LateAnswers) -> str:
    if not late.changed:
        return _("Nothing was changed.")
    if late.until is None:
        return _("%(unit)s may no longer answer late.", unit=late.unit_name)
    return _(
        "%(unit)s may answer until %(time)s.", unit=late.unit_name, time=format_local(late.until)
    )
