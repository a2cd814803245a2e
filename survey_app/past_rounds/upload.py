"""A past round uploaded in the browser (national admins): read and checked as by
`flask rounds import`, previewed (its units and how many answered each item), and
written only when the admin confirms that same preview.

As with the roster upload, the rows travel in the page between the preview and the
confirmation, signed with the app's secret key, bound to the admin and valid for an
hour; the confirmation checks them again and writes nothing if the outcome differs.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..models import Admin, AuditEntry, QuestionnaireVersion, Round
from ..questionnaires.registry import DEFAULT_KEYS, questionnaire_versions
from ..units.roster_upload import UploadRefused, open_preview, read_upload, sign_preview
from .check import PastRound, check_rows, closing_moment, header_check, items_of
from .store import write_round

SALT = "past-round-upload-preview"


@dataclass
class Wanted:
    """What the admin asked for, besides the file."""

    slug: str
    title: str
    title_sv: str
    title_en: str
    closed_on: date

    def translations(self) -> dict[str, str]:
        return {"sv": self.title_sv, "en": self.title_en}

    def closes(self):
        return closing_moment(self.closed_on)


@dataclass
class Preview:
    wanted: Wanted
    filename: str
    versions: list[QuestionnaireVersion]
    past: PastRound
    token: str | None  # the signed rows, only when the file can be imported
    round: Round | None = None  # once confirmed


def preview(admin: Admin, wanted: Wanted, filename: str, data: bytes) -> Preview:
    """The file read and checked against the current questionnaire versions; or
    UploadRefused (a 4xx) for a file that cannot be read at all."""
    versions = questionnaire_versions(DEFAULT_KEYS)
    items = items_of(versions)
    rows = read_upload(filename, data, check_header=header_check(items))
    return _checked(admin, wanted, filename, rows, versions)


def _checked(admin, wanted: Wanted, filename: str, rows, versions) -> Preview:
    past = check_rows(rows, items_of(versions), wanted.closes())
    token = None
    if not past.problems:
        data = {
            "wanted": [
                wanted.slug,
                wanted.title,
                wanted.title_sv,
                wanted.title_en,
                wanted.closed_on.isoformat(),
            ],
            "versions": _named(versions),
            "file": filename,
            "rows": rows,
            "fingerprint": past.fingerprint(),
        }
        too_large = _("The file is too large to preview: import it with flask rounds import.")
        token = sign_preview(SALT, admin, data, too_large)
    return Preview(wanted, filename, versions, past, token)


class PreviewStale(UploadRefused):
    """The roster or the questionnaires changed since the preview: here is what the
    file gives now."""

    def __init__(self, fresh: Preview, message: str):
        super().__init__(409, [message])
        self.preview = fresh


def confirm(admin: Admin, token: str) -> Preview:
    """Write the previewed round (in the caller's transaction), audited; PreviewStale
    when checking the rows again gives another outcome, UploadRefused for a bad token."""
    data = open_preview(SALT, admin, token)
    slug, title, title_sv, title_en, closed_on = data["wanted"]
    wanted = Wanted(slug, title, title_sv, title_en, date.fromisoformat(closed_on))
    # The current versions again (those previewed were stored with the preview's
    # transaction, which wrote nothing); a release in between makes the preview stale.
    versions = questionnaire_versions(DEFAULT_KEYS)
    rows = [(number, values) for number, values in data["rows"]]
    fresh = _checked(admin, wanted, data["file"], rows, versions)
    if _named(versions) != data["versions"]:
        message = _("The questionnaires changed after the preview. Check it again.")
        raise PreviewStale(fresh, message)
    if fresh.past.problems or fresh.past.fingerprint() != data["fingerprint"]:
        raise PreviewStale(fresh, _("The roster changed after the preview. Check it again."))
    fresh.round = write_round(
        wanted.slug,
        wanted.title,
        wanted.closes(),
        versions,
        fresh.past,
        fresh.filename,
        title_translations=wanted.translations(),
    )
    AuditEntry.record(
        admin,
        "import past round",
        f"round {wanted.slug}",
        None,
        after={
            "file": fresh.filename,
            "responses": len(fresh.past.responses),
            "closed_at": closed_on,
        },
    )
    return fresh


def _named(versions: list[QuestionnaireVersion]) -> list[str]:
    return [f"{version.key}:{version.version}" for version in versions]
