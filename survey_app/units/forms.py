"""The forms of the roster pages. A unit's values are checked by the importer's own
rules (`check_values`), so the browser and a CSV file accept exactly the same."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField

from .importer import MAX_LENGTHS, check_values
from .plan import FIELDS
from .problems import Problem

STATUS_CHOICES = [SelectChoice("active", _l("active")), SelectChoice("preparing", _l("preparing"))]
LANGUAGE_CHOICES = [
    SelectChoice("fi", "suomi"),
    SelectChoice("sv", "svenska"),
    SelectChoice("en", "English"),
]

FIELD_MESSAGES = {
    "empty": _l("Fill in this field."),
    "invalid_code": _l(
        'Use only the letters A–Z and a–z, digits, ".", "_" and "-", at most 32 characters '
        '(not "." or "..").'
    ),
    "control_characters": _l("Remove the line breaks and control characters."),
    "too_long": _l("At most %(limit)d characters."),
    "unknown_status": _l("Choose active or preparing."),
    "unknown_field": _l("Choose a field of the list."),
    "unknown_region": _l("Choose a region of the list."),
    "unknown_language": _l("Choose Finnish, Swedish or English."),
    "invalid_email": _l("Enter an email address such as name@example.fi."),
}


def _text(label, name: str, **kwargs) -> StringField:
    limit = MAX_LENGTHS.get(name)
    return StringField(label, render_kw={"maxlength": limit} if limit else None, **kwargs)


class _Form(FlaskForm):
    """CSRF is checked for every POST by CSRFProtect; the templates send the token."""

    class Meta:
        csrf = False


class UnitForm(_Form):
    """A unit's values; the code only when the unit is created (it is its identity)."""

    name = _text(_l("Name"), "name")
    field = _text(_l("Field"), "field")
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validate_choice=False)
    region = _text(_l("Region"), "region")
    municipality = _text(_l("Municipality"), "municipality")
    contact_name = _text(_l("Contact person"), "contact_name")
    contact_email = EmailField(_l("Contact email"))
    language = SelectField(
        _l("Language of the emails"), choices=LANGUAGE_CHOICES, validate_choice=False
    )
    # The unit's last change as the form was loaded: a later change refuses the save.
    version = HiddenField()

    def record(self, code: str) -> dict | None:
        """The checked record, or None with each problem on its field."""
        values = {name: (self[name].data or "").strip() for name in FIELDS}
        record, problems = check_values({"code": code, **values})
        for problem in problems:
            self.add_problem(problem)
        return record

    def add_problem(self, problem: Problem) -> None:
        message = FIELD_MESSAGES[problem.kind] % problem.params
        for name in problem.fields:
            if name in self and message not in self[name].errors:
                self[name].errors = [*self[name].errors, message]


class NewUnitForm(UnitForm):
    code = StringField(_l("Code"), render_kw={"maxlength": 32})

    def record(self, code: str | None = None) -> dict | None:
        return super().record((self.code.data or "").strip())


class UploadForm(_Form):
    roster = FileField(_l("Roster file (CSV or XLSX)"))
