"""What the round pages share: the manage page with its forms, and running a change
(commit and say so, or refuse it on the page)."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..errors import render_error
from ..extensions import db
from ..invitations.auto_reminders import reminder_plan
from ..models import Invitation, Round, Unit
from ..models.types import utcnow
from ..outbox.overrides import EmailTextError
from ..rounds import services
from .round_email_texts import email_text_pairs, email_texts_data
from .round_forms import EmailTextsForm, ExtendForm, LateForm, ReminderDaysForm, local_parts
from .scope import scope_units


def national_only():
    """A regional admin's refusal page, or None for a national admin."""
    if current_user.is_national:
        return None
    return render_error(403, _("Only a national admin can create rounds or change them."))


def late_choices(round_: Round) -> list[tuple[str, str]]:
    query = scope_units(
        select(Unit.code, Unit.name)
        .join(Invitation, Invitation.unit_id == Unit.id)
        .where(Invitation.round_id == round_.id, Unit.deactivated_at.is_(None))
        .order_by(Unit.name, Unit.code),
        current_user,
    )
    return [(code, f"{name} ({code})") for code, name in db.session.execute(query)]


def attempt(round_: Round, change):
    """Run a service change: (True, its result), or (False, the manage page refusing
    it with the service's reason, 409)."""
    try:
        return True, change()
    except (services.RoundError, EmailTextError) as error:
        db.session.rollback()
        return False, refuse(round_, str(error))


def done(round_: Round, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin_rounds.manage", slug=round_.slug), code=303)


def refuse(round_: Round, message: str):
    return manage_page(round_, status=409, refusal=message)


def manage_page(round_: Round, *, status: int = 200, failed=None, refusal=None, **forms):
    _date, time = local_parts(round_.deadline)
    forms.setdefault("extend_form", ExtendForm(data={"new_deadline_time": time}))
    forms.setdefault(
        "reminders_form",
        ReminderDaysForm(
            data={"reminder_days": ", ".join(str(d) for d in round_.reminder_days or [])}
        ),
    )
    forms.setdefault("texts_form", EmailTextsForm(data=email_texts_data(round_)))
    week_later, _time = local_parts(max(round_.deadline, utcnow()) + timedelta(days=7))
    forms.setdefault("late_form", LateForm(data={"late_date": week_later}))
    forms["late_form"].late_unit.choices = late_choices(round_)
    late_list = services.late_invitations(round_, lambda query: scope_units(query, current_user))
    return (
        render_template(
            "admin/round_manage.html",
            round=round_,
            state=round_.effective_state(),
            plan=reminder_plan(round_),
            late_list=late_list,
            now=utcnow(),
            failed=failed,
            refusal=refusal,
            text_pairs=list(email_text_pairs(forms["texts_form"])),
            **forms,
        ),
        status,
    )
