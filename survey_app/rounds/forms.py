"""The forms of the round pages: a new round, and the manage page's changes.

They check what an admin types with messages in the admin's language; the services
in `rounds.services` check the same rules again (as for the command line).
"""

import re
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, TimeInput

from ..extensions import db
from ..models import Round
from ..models.types import utcnow
from ..timeutil import format_local, parse_local, to_local
from .email_text_forms import check_email_texts, email_text_fields
from .questionnaire_choice import one_version_each, questionnaire_choices
from .services import (
    REMINDER_DAYS_MAX,
    RESERVED_SLUGS,
    SLUG_RE,
    TITLE_MAX,
    YEARS_AHEAD_MAX,
    EmailTexts,
    latest_moment,
)

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
TIME_RE = re.compile(r"(\d{1,2}:\d{2})(:\d{2}(\.\d+)?)?\Z")


class AdminForm(FlaskForm):
    """CSRF is checked for every POST by CSRFProtect; the templates send the token."""

    class Meta:
        csrf = False


class TooFarAhead(ValueError):
    """A moment after `rounds.services.latest_moment()`."""


def parse_moment(date_text: str | None, time_text: str | None) -> datetime:
    """A date (YYYY-MM-DD) and a time (HH:MM) on the Helsinki clock, as UTC; ValueError,
    or TooFarAhead for a moment more than YEARS_AHEAD_MAX years ahead (such as
    9999-12-31, which no date computed from it would survive)."""
    date_text, time_text = (date_text or "").strip(), (time_text or "").strip()
    time_match = TIME_RE.match(time_text)
    if not DATE_RE.match(date_text) or time_match is None:
        raise ValueError(date_text)
    year = date.fromisoformat(date_text).year
    if year < 1900:  # keeps its UTC computable, as 9998 below
        raise ValueError(date_text)
    if year > 9998:
        raise TooFarAhead(date_text)
    hours, minutes = time_match.group(1).split(":")
    moment = parse_local(f"{date_text}T{int(hours):02d}:{minutes}")
    if moment > latest_moment():
        raise TooFarAhead(date_text)
    return moment


def local_parts(moment: datetime) -> tuple[str, str]:
    local = to_local(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def checked_moment(
    date_field, time_field, *, after: datetime | None = None, until: datetime | None = None
):
    """Check a date and time pair, in the future, after `after` and not after `until`
    when given; the moment, or None with the error on the date."""
    if date_field.errors or time_field.errors:
        return None
    try:
        moment = parse_moment(date_field.data, time_field.data)
    except TooFarAhead:
        date_field.errors.append(
            _(
                "The time is too far ahead: at most %(years)d years from now.",
                years=YEARS_AHEAD_MAX,
            )
        )
        return None
    except ValueError:
        date_field.errors.append(
            _("Enter a date and a time, e.g. 2027-03-31 and 16:00 (Finnish time).")
        )
        return None
    if moment <= utcnow():
        date_field.errors.append(_("The time must be in the future."))
        return None
    if after is not None and moment <= after:
        date_field.errors.append(
            _("The time must be later than %(time)s.", time=format_local(after))
        )
        return None
    if until is not None and moment > until:
        date_field.errors.append(
            _(
                "At the latest %(time)s: the unit's link stops working %(days)d days after "
                "the deadline.",
                time=format_local(until),
                days=current_app.config["TOKEN_DAYS_AFTER_CLOSE"],
            )
        )
        return None
    return moment


def parse_reminder_days(text: str | None) -> list[int]:
    """Days typed as "7, 2" (commas, semicolons or spaces), largest first; ValueError."""
    days = set()
    for part in re.split(r"[,;\s]+", (text or "").strip()):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= REMINDER_DAYS_MAX:
            raise ValueError(part)
        days.add(int(part))
    return sorted(days, reverse=True)


def _check_reminder_days(field) -> list[int] | None:
    try:
        return parse_reminder_days(field.data)
    except ValueError as error:
        field.errors.append(
            _(
                "%(value)s is not a number of days from 1 to %(max)d. Write whole days "
                "separated by commas, e.g. 7, 2.",
                value=str(error),
                max=REMINDER_DAYS_MAX,
            )
        )
        return None


def slug_in_use(slug: str) -> bool:
    """Said on the field at once; the unique slug itself decides when two admins
    create the same round at the same moment (rounds.services.create_round)."""
    return db.session.scalar(select(Round.id).filter_by(slug=slug)) is not None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoundNamesForm(AdminForm):
    """A new round's titles and short name, checked as `rounds.services.check_names`
    checks them (a new round and an imported past round alike)."""

    title = StringField(
        _l("Title in Finnish"),
        validators=[DataRequired(_l("Enter the title in Finnish.")), Length(max=TITLE_MAX)],
    )
    title_sv = StringField(
        _l("Title in Swedish (optional)"), validators=[Optional(), Length(max=TITLE_MAX)]
    )
    title_en = StringField(
        _l("Title in English (optional)"), validators=[Optional(), Length(max=TITLE_MAX)]
    )
    slug = StringField(
        _l("Short name for addresses"),
        description=_l("Lowercase letters a–z, digits and hyphens, e.g. kevat-2027."),
        validators=[DataRequired(_l("Enter a short name.")), Length(max=100)],
    )

    def check_names(self) -> None:
        """The errors of the titles and the short name, on their fields."""
        for field in (self.title, self.title_sv, self.title_en):
            if field.data and any(ord(character) < 32 for character in field.data):
                field.errors.append(_("Write the title on one line."))
        slug = (self.slug.data or "").strip()
        self.slug.data = slug
        if slug and not self.slug.errors:
            if not SLUG_RE.match(slug):
                self.slug.errors.append(
                    _("Use only lowercase letters a–z, digits and hyphens (not first).")
                )
            elif slug in RESERVED_SLUGS:
                self.slug.errors.append(_("“%(slug)s” is reserved. Choose another.", slug=slug))
            elif slug_in_use(slug):
                self.slug.errors.append(
                    _("A round called “%(slug)s” exists already. Choose another.", slug=slug)
                )

    def translations(self) -> dict[str, str]:
        return {"sv": self.title_sv.data or "", "en": self.title_en.data or ""}


@email_text_fields
class NewRoundForm(RoundNamesForm):
    deadline_date = StringField(
        _l("Deadline: date"),
        widget=DateInput(),
        validators=[DataRequired(_l("Enter the date of the deadline."))],
    )
    deadline_time = StringField(
        _l("Deadline: time (Finnish time)"),
        widget=TimeInput(),
        default="16:00",
        validators=[DataRequired(_l("Enter the time of the deadline."))],
    )
    questionnaires = MultiCheckboxField(_l("Questionnaires"))
    reminder_days = StringField(
        _l("Automatic reminders (days before the deadline)"),
        description=_l(
            "Whole days separated by commas, e.g. 7, 2. Leave empty for no automatic reminders."
        ),
    )

    def __init__(self, language: str, **kwargs):
        self.offered = questionnaire_choices(language)
        kwargs.setdefault("questionnaires", self.offered.defaults)  # a new form's ticks
        super().__init__(**kwargs)
        self.questionnaires.choices = self.offered.options
        self.deadline = None
        self.days: list[int] = []
        self.texts: EmailTexts = {}

    def questionnaire_options(self, earlier: bool) -> list:
        """The newest versions' checkboxes, or the earlier versions' (shown on request)."""
        newest = self.offered.newest
        return [option for option in self.questionnaires if (option.data in newest) != earlier]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.check_names()
        self.deadline = checked_moment(self.deadline_date, self.deadline_time)
        if not self.questionnaires.errors and not self.questionnaires.data:
            self.questionnaires.errors.append(_("Choose at least one questionnaire."))
        elif not one_version_each(self.questionnaires.data or []):
            self.questionnaires.errors.append(_("Choose one version of each questionnaire."))
        self.days = _check_reminder_days(self.reminder_days) or []
        self.texts = check_email_texts(self) or {}
        return not self.errors


class ExtendForm(AdminForm):
    new_deadline_date = StringField(
        _l("New deadline: date"),
        widget=DateInput(),
        validators=[DataRequired(_l("Enter the date of the new deadline."))],
    )
    new_deadline_time = StringField(
        _l("New deadline: time (Finnish time)"),
        widget=TimeInput(),
        validators=[DataRequired(_l("Enter the time of the new deadline."))],
    )

    def check(self, round_: Round) -> datetime | None:
        """The new deadline, later than the current one and in the future, or None."""
        if not self.validate():
            return None
        return checked_moment(self.new_deadline_date, self.new_deadline_time, after=round_.deadline)


class ReminderDaysForm(AdminForm):
    reminder_days = StringField(
        _l("Automatic reminders (days before the deadline)"),
        description=_l(
            "Whole days separated by commas, e.g. 7, 2. Leave empty for no automatic reminders."
        ),
    )

    def check(self) -> list[int] | None:
        self.validate()
        return _check_reminder_days(self.reminder_days)


@email_text_fields
class EmailTextsForm(AdminForm):
    def check(self) -> EmailTexts | None:
        if not self.validate():
            return None
        return check_email_texts(self)
