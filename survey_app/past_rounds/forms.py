"""The past round upload's form: the round's names, its closing day and the file."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.widgets import DateInput

from ..refusals import Refused
from ..rounds.forms import RoundNamesForm
from .check import FIRST_YEAR, closing_moment
from .upload import Wanted


class PastRoundForm(RoundNamesForm):
    closed_on = StringField(
        _l("Closing day"),
        description=_l("The day the round's answers were collected by (it is dated 16.00)."),
        widget=DateInput(),
        validators=[DataRequired(_l("Enter the day the round closed."))],
    )
    answers = FileField(_l("Answers file (CSV or XLSX)"))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.closed_day: date | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.check_names()
        if not self.closed_on.errors:
            self.closed_day = self._day()
        return not self.errors

    def wanted(self) -> Wanted:
        """What a valid form asks for."""
        return Wanted(
            slug=self.slug.data,
            title=self.title.data.strip(),
            title_sv=(self.title_sv.data or "").strip(),
            title_en=(self.title_en.data or "").strip(),
            closed_on=self.closed_day,
        )

    def _day(self) -> date | None:
        try:
            day = date.fromisoformat((self.closed_on.data or "").strip())
        except ValueError:
            self.closed_on.errors.append(_("Enter a date, e.g. 2008-02-29."))
            return None
        try:
            closing_moment(day)
        except Refused:
            self.closed_on.errors.append(
                _(
                    "Enter a day that has passed, from %(year)d on: the round is dated "
                    "16.00 on its closing day.",
                    year=FIRST_YEAR,
                )
            )
            return None
        return day
