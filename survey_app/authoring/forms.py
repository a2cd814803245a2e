"""The upload form of a questionnaire file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class UploadForm(FlaskForm):
    definition = FileField(_l("Questionnaire file (XLSX or YAML)"))
