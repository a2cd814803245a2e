"""The questionnaires' pages: every stored version, to download as a spreadsheet or
YAML; and, for national admins, publishing a new version from a file: upload, preview
(the form as a unit sees it in fi, sv or en, and what changed), confirm."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..database import reads_first
from ..errors import render_error
from ..i18n import current_language
from ..questionnaires.files import FORMATS, definition_as_file
from ..questionnaires.form_view import build_form_view
from ..refusals import Refused, message_for
from ..units.roster_upload import UploadRefused
from ..web import clean_filename, no_store, run_action
from . import publishing
from .forms import UploadForm
from .listing import definition_of, versions_by_key

bp = Blueprint("authoring", __name__, url_prefix="/admin/questionnaires")
bp.after_request(no_store)
READING_POSTS = ("authoring.upload", "authoring.preview")


@bp.before_request
def _reading():
    """An upload and its preview only read: on SQLite they hold no write lock while a
    workbook is parsed (respondents' saves would wait)."""
    if request.endpoint in READING_POSTS:
        reads_first()


MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "yaml": "application/yaml; charset=utf-8",
}


def _national_only():
    if current_user.is_national:
        return None
    return render_error(403, _("Only a national admin can publish a questionnaire version."))


@bp.get("")
@login_required
def index():
    return _index_page(UploadForm())


@bp.get("/<key>/v<int:number>.<file_format>")
@login_required
def download(key: str, number: int, file_format: str):
    definition = definition_of(key, number)
    if definition is None or file_format not in FORMATS:
        abort(404)
    name = f"{key}-v{number}.{file_format}"
    return Response(
        definition_as_file(definition, file_format),
        mimetype=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/upload")
@login_required
def upload():
    if refused := _national_only():
        return refused
    form = UploadForm()
    file = form.definition.data
    if not form.validate() or file is None or not getattr(file, "filename", ""):
        form.definition.errors = [*form.definition.errors, _("Choose a file to upload.")]
        return _index_page(form, status=422)
    filename = clean_filename(file.filename, "questionnaire")
    try:
        preview = publishing.preview(
            current_user, filename, file.read(publishing.MAX_UPLOAD_BYTES + 1)
        )
    except UploadRefused as refusal:
        return _index_page(form, refusal.messages, refusal.status)
    return _preview_page(preview, current_language())


@bp.post("/preview")
@login_required
def preview():
    """The same preview in another language (the definition travels signed)."""
    if refused := _national_only():
        return refused
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_language()
    try:
        shown = publishing.reopen(current_user, request.form.get("preview", ""))
    except UploadRefused as refusal:
        return _index_page(UploadForm(formdata=None), refusal.messages, refusal.status)
    return _preview_page(shown, language)


@bp.post("/confirm")
@login_required
def confirm():
    if refused := _national_only():
        return refused
    return run_action(
        lambda: publishing.confirm(current_user, request.form.get("preview", "")),
        lambda version: _(
            "Version %(version)d of %(key)s was published. New rounds ask it from now on.",
            version=version.version,
            key=version.key,
        ),
        url_for("authoring.index"),
        refused=_refused,
    )


def _refused(error: Refused):
    if isinstance(error, publishing.PreviewStale):
        stale = _("Another version was published meanwhile: the difference is now against it.")
        return _preview_page(error.preview, current_language(), status=409, stale=stale)
    if isinstance(error, UploadRefused):
        return _index_page(UploadForm(formdata=None), error.messages, error.status)
    return _index_page(UploadForm(formdata=None), [message_for(error)], 409)


@bp.errorhandler(413)
def too_large(_error):
    if request.endpoint == "authoring.upload" and getattr(current_user, "is_national", False):
        return _index_page(UploadForm(formdata=None), [publishing.too_large_message()], 413)
    return render_error(413)


def _index_page(form, messages: list[str] | None = None, status: int = 200):
    page = render_template(
        "authoring/index.html", form=form, messages=messages, keys=versions_by_key()
    )
    return page, status


def _preview_page(preview: publishing.Preview, language: str, status: int = 200, stale=""):
    """The preview in the admin's language, with the form drawn in `language`."""
    with force_locale(language):
        view = build_form_view([preview.questionnaire], language)
        draw = get_template_attribute("authoring/_form.html", "questionnaire_form")
        form_html = draw(view, language)
    page = render_template(
        "authoring/preview.html",
        preview=preview,
        form_html=form_html,
        form_language=language,
        stale=stale,
    )
    return page, status
