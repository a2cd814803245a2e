"""The past round upload (national admins): the form, the preview, the confirmation."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import render_error
from ..refusals import Refused, message_for
from ..units.roster_upload import MAX_UPLOAD_BYTES, UploadRefused, too_large_message
from ..web import clean_filename, no_store, run_action
from . import upload
from .forms import PastRoundForm

bp = Blueprint("past_rounds", __name__, url_prefix="/admin/rounds/import")
bp.after_request(no_store)


def _national_only():
    if current_user.is_national:
        return None
    return render_error(403, _("Only a national admin can import a past round."))


@bp.route("", methods=["GET", "POST"])
@login_required
def start():
    if refused := _national_only():
        return refused
    form = PastRoundForm()
    if request.method == "GET":
        return _form_page(form)
    valid = form.validate()
    file = form.answers.data
    if file is None or not getattr(file, "filename", ""):
        form.answers.errors = [*form.answers.errors, _("Choose a file to upload.")]
        valid = False
    if not valid:
        return _form_page(form, status=422)
    filename = clean_filename(file.filename, "answers")
    try:
        data = file.read(MAX_UPLOAD_BYTES + 1)
        preview = upload.preview(current_user, form.wanted(), filename, data)
    except UploadRefused as refusal:
        return _form_page(form, refusal.messages, refusal.status)
    except Refused as refusal:  # a questionnaire file changed without a new version
        return _form_page(form, [message_for(refusal)], 409)
    return _preview_page(preview, status=422 if preview.past.problems else 200)


@bp.post("/confirm")
@login_required
def confirm():
    if refused := _national_only():
        return refused
    return run_action(
        lambda: upload.confirm(current_user, request.form.get("preview", "")),
        lambda done: _(
            "%(file)s was imported as the closed round %(title)s: %(count)d submitted responses.",
            file=done.filename,
            title=done.wanted.title,
            count=len(done.past.responses),
        ),
        url_for("rounds.index"),
        refused=_refused,
        then=lambda done: url_for("dashboard.show", slug=done.round.slug),
    )


def _refused(error: Refused):
    if isinstance(error, upload.PreviewStale):
        return _preview_page(error.preview, status=409, stale=error.messages[0])
    if isinstance(error, UploadRefused):
        return _form_page(PastRoundForm(formdata=None), error.messages, error.status)
    # Another admin took the short name between the preview and the confirmation.
    return _form_page(PastRoundForm(formdata=None), [message_for(error)], 409)


@bp.errorhandler(413)
def too_large(_error):
    """A file past the request limit is refused before the view runs: say it plainly
    (on the upload's own page, to an admin who may see it)."""
    if request.endpoint == "past_rounds.start" and getattr(current_user, "is_national", False):
        return _form_page(PastRoundForm(formdata=None), [too_large_message()], 413)
    return render_error(413)


def _form_page(form, messages: list[str] | None = None, status: int = 200):
    return render_template("past_rounds/upload.html", form=form, messages=messages), status


def _preview_page(preview: upload.Preview, status: int, stale: str = ""):
    return (
        render_template("past_rounds/preview.html", preview=preview, stale=stale),
        status,
    )
