"""A questionnaire version published in the browser (national admins): the file read
and checked, shown as a unit would see it with its difference from the version it
replaces, and stored only when the admin confirms that same preview.

As with the roster upload, the definition travels in the page between the preview and
the confirmation, signed with the app's secret key, bound to the admin and valid for an
hour. The confirmation stores nothing if another version was published meanwhile: the
preview is shown again against that one.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..models import Admin, AuditEntry, QuestionnaireVersion
from ..models.definition import Questionnaire
from ..questionnaires.changes import Changes, compare
from ..questionnaires.files import definition_from_file
from ..questionnaires.registry import newest_version, publish
from ..questionnaires.validation import DefinitionError
from ..refusals import Refused
from ..units.roster_upload import UploadRefused, open_preview, sign_preview
from .problems import problem_texts

SALT = "questionnaire-publish-preview"
SUFFIXES = (".xlsx", ".yaml", ".yml")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass
class Preview:
    filename: str
    definition: dict
    replaced: QuestionnaireVersion | None
    token: str

    @property
    def questionnaire(self) -> Questionnaire:
        return Questionnaire.from_dict({**self.definition, "version": self.number})

    @property
    def number(self) -> int:
        """The version number it would be published as."""
        return self.replaced.version + 1 if self.replaced is not None else 1

    @property
    def changes(self) -> Changes:
        old = self.replaced.questionnaire if self.replaced is not None else None
        return compare(old, self.questionnaire)

    @property
    def unchanged(self) -> bool:
        return self.replaced is not None and self.changes.none


class PreviewStale(Refused):
    """Another version was published after the preview: here it is against that one."""

    def __init__(self, preview: Preview):
        super().__init__(preview.filename, code="preview_stale")
        self.preview = preview


def too_large_message() -> str:
    return _("The file is too large: at most %(size)d kB.", size=MAX_UPLOAD_BYTES // 1024)


def preview(admin: Admin, filename: str, raw: bytes) -> Preview:
    """The file checked and compared with the newest version of its questionnaire; or
    UploadRefused (a 4xx) with every problem, named at its place, in the admin's language."""
    if not filename.lower().endswith(SUFFIXES):
        raise UploadRefused(
            415, [_("Upload an Excel workbook (.xlsx) in the XLSForm layout, or a YAML file.")]
        )
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadRefused(413, [too_large_message()])
    try:
        definition = definition_from_file(filename, raw)
        return _previewed(admin, filename, definition)
    except DefinitionError as error:
        raise UploadRefused(422, problem_texts(error.errors)) from None


def _previewed(admin: Admin, filename: str, definition: dict) -> Preview:
    replaced = newest_version(definition["key"])
    base = replaced.version if replaced is not None else 0
    data = {"file": filename, "definition": definition, "base": base}
    token = sign_preview(SALT, admin, data, too_large_message())
    return Preview(filename, definition, replaced, token)


def reopen(admin: Admin, token: str) -> Preview:
    """The preview a signed token carries (another language of the same preview)."""
    data = open_preview(SALT, admin, token)
    return Preview(
        data["file"], data["definition"], newest_version(data["definition"]["key"]), token
    )


def confirm(admin: Admin, token: str) -> QuestionnaireVersion:
    """Store the previewed version, audited; PreviewStale when another version was
    published since the preview, Refused when it asks what the newest version asks."""
    data = open_preview(SALT, admin, token)
    definition = data["definition"]
    replaced = newest_version(definition["key"])
    if (replaced.version if replaced is not None else 0) != data["base"]:
        raise PreviewStale(_previewed(admin, data["file"], definition))
    version, stored = publish(definition)
    if not stored:
        raise Refused("nothing changed", code="questionnaire_unchanged")
    AuditEntry.record(
        admin,
        "publish questionnaire",
        f"{version.key} v{version.version}",
        None,
        after={"file": data["file"]},
    )
    return version
