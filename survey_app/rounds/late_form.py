"""The manage page's form that lets one unit answer after the deadline."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired
from wtforms.widgets import DateInput, TimeInput

from ..models import Round
from .forms import AdminForm, checked_moment
from .late import late_limit


class LateForm(AdminForm):
    late_unit = SelectField(
        _l("Unit"), validate_choice=False, validators=[DataRequired(_l("Choose the unit."))]
    )
    late_date = StringField(
        _l("May answer until: date"),
        widget=DateInput(),
        validators=[DataRequired(_l("Enter the date until which the unit may answer."))],
    )
    late_time = StringField(
        _l("May answer until: time (Finnish time)"),
        widget=TimeInput(),
        default="16:00",
        validators=[DataRequired(_l("Enter the time until which the unit may answer."))],
    )

    def check(self, round_: Round) -> datetime | None:
        """The moment until which the unit may answer: ahead, after the deadline, and
        while its link still works."""
        if not self.validate():
            return None
        return checked_moment(
            self.late_date, self.late_time, after=round_.deadline, until=late_limit(round_)
        )
