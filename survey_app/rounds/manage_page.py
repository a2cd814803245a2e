"""A round's manage page: its facts and plan, and the forms that change it, each shown
again with its errors (422) or the reason a change was refused (409)."""

from datetime import timedelta

from flask import render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..invitations.auto_reminders import reminder_plan
from ..models import Invitation, Round, Unit
from ..models.types import utcnow
from ..refusals import Refused, reason_for
from ..web import run_action
from . import late, services
from .email_text_forms import email_text_pairs, email_texts_data
from .forms import EmailTextsForm, ExtendForm, ReminderDaysForm, local_parts
from .late_form import LateForm


def late_choices(round_: Round) -> list[tuple[str, str]]:
    """The units the admin may let answer late: its active units invited to the round."""
    query = current_user.scope_invitations(
        select(Unit.code, Invitation.unit_name)
        .join(Invitation, Invitation.unit_id == Unit.id)
        .where(
            Invitation.round_id == round_.id,
            Invitation.unit_deactivated_at.is_(None),
            Unit.deactivated_at.is_(None),
        )
        .order_by(Invitation.unit_name, Unit.code)
    )
    return [(code, f"{name} ({code})") for code, name in db.session.execute(query)]


def refused_page(round_: Round, error: Exception):
    """The manage page saying, in the admin's language, why a change was refused."""
    return manage_page(round_, status=409, refusal=reason_for(error))


def change_round(round_: Round, action, said):
    """Run a change from the manage page: back on it with `said(result)`, or the page
    with the reason it was refused (409)."""
    return run_action(
        action,
        said,
        url_for("rounds.manage", slug=round_.slug),
        refused=lambda error: refused_page(round_, error),
    )


def refused_before_form(round_: Round, check):
    """The refusal page when the round's state refuses the change whatever its form
    says (`check`, a rounds.services check; the form is not even on the page then);
    None when the form is worth reading."""
    try:
        check(round_)
    except Refused as error:
        return refused_page(round_, error)
    return None


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
    # A week after the deadline, as a suggestion (never past the latest a time may be:
    # a deadline stored far ahead by other means must not break the page).
    week_later = min(max(round_.deadline, utcnow()), services.latest_moment())
    week_later_date, _time = local_parts(week_later + timedelta(days=7))
    forms.setdefault("late_form", LateForm(data={"late_date": week_later_date}))
    forms["late_form"].late_unit.choices = late_choices(round_)
    late_list = late.late_invitations(round_, current_user.scope_invitations)
    return (
        render_template(
            "rounds/manage.html",
            round=round_,
            state=round_.effective_state(),
            plan=reminder_plan(round_),
            # How many reminders each automatic one queued is a count over every
            # region: a regional admin is not shown it.
            plan_counts=current_user.is_national,
            late_list=late_list,
            now=utcnow(),
            failed=failed,
            refusal=refusal,
            text_pairs=list(email_text_pairs(forms["texts_form"])),
            **forms,
        ),
        status,
    )
