"""A roster uploaded in the browser: read and checked by the importer, previewed, and
written only when the admin confirms that same preview.

Between the preview and the confirmation the rows travel in the page, signed with the
app's secret key, bound to the admin's login and valid for an hour: nothing is kept on
the server (any worker can take the confirmation) and nothing unsigned is trusted. The
confirmation checks the rows and compares them with the roster again; if the plan
differs from the one previewed, nothing is written and the new preview is shown.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from ..invitations.mailing import contact_email_changed
from ..models import Admin, AuditEntry, Unit
from ..refusals import Refused
from .importer import check_rows
from .plan import ImportPlan, apply_plan, current_units, plan_import
from .problems import Problem, RosterError
from .roster_files import XLSX_SUFFIXES, HeaderCheck, Rows, read_bytes

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_ROWS = 5000
PREVIEW_SECONDS = 3600
SALT = "roster-upload-preview"
CSV_SUFFIXES = (".csv", ".txt")

PROBLEM_TEXTS = {
    "not_utf8": _l(
        'The file is not UTF-8 text. Save it from the spreadsheet as "CSV UTF-8" and '
        "upload it again."
    ),
    "empty_file": _l("The file is empty: its first row should be the header row."),
    "not_xlsx": _l("The file is not a readable XLSX workbook."),
    "bad_csv": _l("The file is not readable CSV."),
    "too_many_rows": _l("The file has more than %(limit)d rows."),
    "too_many_columns": _l(
        "The sheet has rows of more than %(limit)d cells: a roster has one column per field."
    ),
    "missing_columns": _l("Missing column(s): %(columns)s"),
    "unknown_columns": _l("Unknown column(s): %(columns)s"),
    "repeated_columns": _l("Repeated column(s): %(columns)s"),
    "expected_columns": _l("The columns are: %(columns)s"),
    "no_units": _l("The file has a header row but no units."),
    "cell_count": _l("%(cells)d cells, but the header has %(columns)d"),
    "empty": _l("%(field)s is empty"),
    "invalid_code": _l(
        'code "%(value)s": use only the letters A–Z and a–z, digits, ".", "_" and "-", '
        'at most 32 characters (not "." or "..")'
    ),
    "control_characters": _l("line break or control character in %(fields)s"),
    "too_long": _l("%(field)s is longer than %(limit)d characters"),
    "unknown_status": _l(
        'unknown status "%(value)s" (use active/preparing or varsinainen/valmisteleva)'
    ),
    "unknown_language": _l('unknown language "%(value)s" (use fi, sv or en)'),
    "unknown_field": _l(
        'unknown field "%(value)s": use one of %(known)s (or its Swedish or English name)'
    ),
    "unknown_region": _l(
        'unknown region "%(value)s": use one of %(known)s (or its Swedish or English name)'
    ),
    "invalid_email": _l('invalid contact_email "%(value)s"'),
    "duplicate_code": _l("code %(code)s is repeated (first on row %(first)d)"),
    "other_region": _l('region "%(value)s" is not your region, %(region)s'),
    # Worded as the New unit page's refusal: which region holds the code is not said.
    "code_in_other_region": _l("The code %(code)s cannot be used."),
}


def problem_text(problem: Problem) -> str:
    return str(PROBLEM_TEXTS[problem.kind] % problem.params)


class UploadRefused(Refused):
    """The file (or the preview being confirmed) cannot be used; `status` is the 4xx."""

    def __init__(self, status: int, messages: list[str]):
        super().__init__("; ".join(messages), code="upload_refused")
        self.status = status
        self.messages = messages


@dataclass
class Preview:
    filename: str
    plan: ImportPlan
    token: str | None  # the signed rows, only when the plan can be confirmed
    remailed: int = 0  # once confirmed: invitations mailed again to a changed address


class PreviewStale(Refused):
    """The roster changed since the preview: here is what the file would change now."""

    def __init__(self, preview: Preview):
        super().__init__(preview.filename, code="preview_stale")
        self.preview = preview


def read_upload(filename: str, data: bytes, check_header: HeaderCheck | None = None) -> Rows:
    """The file's rows, or UploadRefused with a message for each problem of the file
    (`check_header`: as `roster_files.read_bytes`)."""
    if Path(filename).suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise UploadRefused(
            415, [_("Upload a CSV file or an Excel workbook (.xlsx); .xls files do not work.")]
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(413, [too_large_message()])
    try:
        rows = read_bytes(filename, data, check_header)
    except RosterError as error:
        raise UploadRefused(400, [_row_text(p) for p in error.problems]) from None
    if not rows:
        raise UploadRefused(400, [problem_text(Problem("no_units"))])
    if len(rows) > MAX_UPLOAD_ROWS:
        problem = Problem("too_many_rows", params={"limit": MAX_UPLOAD_ROWS})
        raise UploadRefused(413, [problem_text(problem)])
    return rows


def too_large_message() -> str:
    return _("The file is too large: at most %(size)d kB.", size=MAX_UPLOAD_BYTES // 1024)


def _row_text(problem: Problem) -> str:
    if problem.row is None:
        return problem_text(problem)
    return _("Row %(row)d: %(problem)s", row=problem.row, problem=problem_text(problem))


def preview(admin: Admin, filename: str, rows: Rows) -> Preview:
    """What the file would change within the admin's part of the roster."""
    checked, problems = check_rows(rows)
    plan = plan_import(checked, current_units(), None if admin.is_national else admin.region)
    plan.problems = sorted(problems + plan.problems, key=lambda p: p.row or 0)
    token = None
    if not plan.problems:
        data = {"file": filename, "rows": rows, "fingerprint": plan.fingerprint()}
        token = sign_preview(SALT, admin, data, too_large_message())
    return Preview(filename, plan, token)


def confirm(admin: Admin, token: str) -> Preview:
    """Write the previewed plan (in the caller's transaction), audited per unit; or
    PreviewStale when the roster changed since, or UploadRefused for a bad token."""
    data = open_preview(SALT, admin, token)
    rows = [(number, values) for number, values in data["rows"]]
    fresh = preview(admin, data["file"], rows)
    if fresh.plan.problems or fresh.plan.fingerprint() != data["fingerprint"]:
        raise PreviewStale(fresh)
    apply_plan(fresh.plan)
    _audit(admin, fresh)
    fresh.remailed = _mail_changed_addresses(fresh.plan)
    return fresh


def _mail_changed_addresses(plan: ImportPlan) -> int:
    """Each unit whose address the file changed gets its pending invitations there."""
    codes = [
        update.code
        for update in plan.updates
        if any(name == "contact_email" for name, _old, _new in update.changes)
    ]
    if not codes:
        return 0
    units = db.session.scalars(select(Unit).where(Unit.code.in_(codes)).order_by(Unit.code))
    return sum(len(contact_email_changed(unit)) for unit in units.all())


def _audit(admin: Admin, done: Preview) -> None:
    plan = done.plan
    for _row, record in plan.new:
        after = {name: value for name, value in record.items() if name != "code"}
        target = f"unit {record['code']}"
        AuditEntry.record(admin, "import: add unit", target, record["region"], after=after)
    for update in plan.updates:
        before = {name: old for name, old, _new in update.changes}
        after = {name: new for name, _old, new in update.changes}
        if update.reactivate:
            before["deactivated"], after["deactivated"] = True, False
        target = f"unit {update.code}"
        if "region" in before:  # the region it left sees it go
            AuditEntry.record(admin, "import: edit unit", target, before["region"], before, after)
        AuditEntry.record(admin, "import: edit unit", target, update.region, before, after)
    AuditEntry.record(
        admin,
        "import roster",
        f"file {done.filename}",
        None if admin.is_national else admin.region,
        after={
            "new": len(plan.new),
            "changed": len(plan.updates),
            "unchanged": len(plan.unchanged),
        },
    )


def sign_preview(salt: str, admin: Admin, data: dict, too_large: str) -> str:
    """`data` signed for the page to carry to its confirmation, bound to `admin`;
    UploadRefused (413, `too_large`) when it would not fit in a form field
    (MAX_FORM_MEMORY_SIZE)."""
    token = _serializer(salt).dumps({**data, "admin": admin.get_id()})
    if len(token) > current_app.config.get("MAX_FORM_MEMORY_SIZE", 500_000) - 10_000:
        raise UploadRefused(413, [too_large])
    return token


def open_preview(salt: str, admin: Admin, token: str) -> dict:
    """The data `sign_preview` signed, if this admin signed it within the hour; else
    UploadRefused (400)."""
    try:
        data = _serializer(salt).loads(token, max_age=PREVIEW_SECONDS)
    except BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("admin") != admin.get_id():
        raise UploadRefused(
            400, [_("This preview has expired or is not yours. Upload the file again.")]
        )
    return data


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)
