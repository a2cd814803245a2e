"""A questionnaire version published in the browser (national admins): the file read
and checked, shown as a unit would see it with its difference from the version it
replaces, and stored only when the admin confirms that same preview.

As with the roster upload, the definition travels in the page between the preview and
the confirmation, signed with the app's secret key, bound to the admin and valid for an
hour. The preview only reads. The confirmation stores nothing if another version was
published meanwhile (the preview is shown again against that one); a second click on
the same confirmation finds its version published and stores nothing more.
"""

from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _

from ..models import Admin, AuditEntry, QuestionnaireVersion
from ..models.definition import Questionnaire
from ..questionnaires.changes import Changes, compare
from ..questionnaires.files import SUFFIXES, definition_from_file
from ..questionnaires.registry import known_versions, newest_version, publish, same_content
from ..questionnaires.validation import DefinitionError
from ..refusals import Refused
from ..units.roster_upload import UploadRefused, open_preview, sign_preview
from .problems import problem_texts

SALT = "questionnaire-publish-preview"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass
class Preview:
    filename: str
    definition: dict
    base: int  # the number of the version it replaces (0: a new questionnaire)
    replaced_definition: dict | None
    token: str

    @property
    def number(self) -> int:
        """The version number it would be published as."""
        return self.base + 1

    @cached_property
    def questionnaire(self) -> Questionnaire:
        return Questionnaire.from_dict({**self.definition, "version": self.number})

    @cached_property
    def replaced(self) -> Questionnaire | None:
        if self.replaced_definition is None:
            return None
        return Questionnaire.from_dict(self.replaced_definition)

    @cached_property
    def changes(self) -> Changes:
        return compare(self.replaced, self.questionnaire)

    @property
    def unchanged(self) -> bool:
        """It asks what the version it replaces asks: nothing to publish."""
        replaced = self.replaced_definition
        return replaced is not None and same_content(replaced, self.definition)


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
    except DefinitionError as error:
        raise UploadRefused(422, problem_texts(error.errors)) from None
    return _previewed(admin, filename, definition)


def _previewed(admin: Admin, filename: str, definition: dict, base: int | None = None):
    """The preview against version `base` (by default the newest), read only."""
    versions = dict(known_versions().get(definition["key"], []))
    if base is None:
        base = max(versions, default=0)
    token = sign_preview(
        SALT, admin, {"file": filename, "definition": definition, "base": base}, too_large_message()
    )
    return Preview(filename, definition, base, versions.get(base), token)


def reopen(admin: Admin, token: str) -> Preview:
    """The preview a signed token carries (to draw its form in another language)."""
    data = open_preview(SALT, admin, token)
    return _previewed(admin, data["file"], data["definition"], data["base"])


def confirm(admin: Admin, token: str) -> QuestionnaireVersion:
    """Store the previewed version, audited; PreviewStale when another version was
    published since the preview, Refused when it asks what the newest version asks."""
    data = open_preview(SALT, admin, token)
    definition, base = data["definition"], data["base"]
    try:
        newest = newest_version(definition["key"])
    except DefinitionError as error:  # a shipped file changed without a new version
        raise Refused(str(error), code="questionnaire_changed") from None
    number = newest.version if newest is not None else 0
    if number != base:
        if number > base and same_content(newest.definition, definition):
            return newest  # published already: a second click on the same confirmation
        raise PreviewStale(_previewed(admin, data["file"], definition))
    publication = publish(definition)
    if not publication.stored:
        raise Refused("nothing changed", code="questionnaire_unchanged")
    version = publication.version
    target = f"{version.key} v{version.version}"
    AuditEntry.record(admin, "publish questionnaire", target, None, after={"file": data["file"]})
    return version
