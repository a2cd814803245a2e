"""The roster pages: list, search and filter the units an admin may see; add, edit,
deactivate, reactivate (and delete a never-invited unit); upload a roster with a
preview. Another region's unit answers 404, as if it did not exist."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import render_error
from ..models import Unit
from ..models.unit import UNIT_STATUSES
from ..refusals import Refused
from ..web import clean_filename, no_store, run_action
from . import roster, roster_upload
from .forms import NewUnitForm, UnitForm, UploadForm
from .roster import RosterFilter, filter_choices

bp = Blueprint("units", __name__, url_prefix="/admin/units")
bp.after_request(no_store)


@bp.get("")
@login_required
def list_units():
    filters = RosterFilter(
        text=_arg("q").strip()[:200],
        region=_arg("region"),
        field=_arg("field"),
        status=status if (status := request.args.get("status")) in UNIT_STATUSES else "",
        include_deactivated=request.args.get("deactivated") == "1",
    )
    page = _arg("page")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return render_template(
        "units/list.html",
        listing=roster.roster(current_user, filters, page),
        filters=filters,
        choices=filter_choices(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_unit():
    form = NewUnitForm()
    if request.method == "GET":
        form.region.data = current_user.region or ""
        return _form_page(form, None, 200)
    if not form.validate_on_submit() or (record := _new_record(form)) is None:
        return _form_page(form, None, 422)
    return run_action(
        lambda: roster.add_unit(current_user, record),
        lambda unit: _("The unit %(code)s was added.", code=unit.code),
        url_for("units.new_unit"),
        refused=lambda error: _unit_refused(form, None, error),
        then=lambda unit: url_for("units.unit_page", code=unit.code),
    )


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def unit_page(code: str):
    unit = _unit_or_404(code)
    if request.method == "GET":
        return _form_page(UnitForm(obj=unit, version=_version(unit)), unit, 200)
    form = UnitForm(obj=unit)
    if not form.validate_on_submit():
        return _form_page(form, unit, 422)
    if form.version.data != _version(unit):
        fresh = UnitForm(formdata=None, obj=unit, version=_version(unit))
        return _form_page(fresh, unit, 409, conflict=True)
    if (record := form.record(unit.code)) is None:
        return _form_page(form, unit, 422)
    return run_action(
        lambda: roster.edit_unit(current_user, unit, record),
        lambda edit: _edited(unit.code, edit),
        url_for("units.unit_page", code=unit.code),
        refused=lambda error: _unit_refused(form, code, error),
    )


@bp.post("/<code>/deactivate")
@login_required
def deactivate(code: str):
    return _set_active(code, active=False)


@bp.post("/<code>/reactivate")
@login_required
def reactivate(code: str):
    return _set_active(code, active=True)


def _set_active(code: str, active: bool):
    unit = _unit_or_404(code)
    if active:
        said = _("%(code)s is active again.", code=code)
    else:
        said = _("%(code)s was deactivated.", code=code)
    return run_action(
        lambda: roster.set_active(current_user, unit, active=active),
        lambda changed: said if changed else None,
        url_for("units.unit_page", code=unit.code),
    )


@bp.post("/<code>/delete")
@login_required
def delete(code: str):
    unit = _unit_or_404(code)
    message = _(
        "%(code)s has been invited to a round, so it is kept: deactivate it instead.", code=code
    )
    return run_action(  # changed_meanwhile: invited meanwhile
        lambda: roster.delete_unit(current_user, unit),
        lambda _none: _("%(code)s was deleted.", code=code),
        url_for("units.list_units"),
        refused=lambda _error: render_error(409, message),
    )


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    form = UploadForm()
    if request.method == "GET":
        return _upload_page(form)
    if not form.validate_on_submit():
        return _upload_page(form, status=422)
    file = form.roster.data
    if file is None or not file.filename:
        form.roster.errors = [_("Choose a file to upload.")]
        return _upload_page(form, status=422)
    filename = clean_filename(file.filename, "roster")
    try:
        rows = roster_upload.read_upload(filename, file.read(roster_upload.MAX_UPLOAD_BYTES + 1))
        preview = roster_upload.preview(current_user, filename, rows)
    except roster_upload.UploadRefused as refusal:
        return _upload_page(form, refusal.messages, refusal.status)
    return _preview_page(preview, status=422 if preview.plan.problems else 200)


@bp.post("/upload/confirm")
@login_required
def confirm_upload():
    return run_action(
        lambda: roster_upload.confirm(current_user, request.form.get("preview", "")),
        _imported,
        url_for("units.list_units"),
        refused=_upload_refused,
    )


def _imported(done: roster_upload.Preview) -> list[str]:
    plan = done.plan
    said = _(
        "%(file)s was imported: %(new)d new, %(changed)d changed, %(unchanged)d unchanged.",
        file=done.filename,
        new=len(plan.new),
        changed=len(plan.updates),
        unchanged=len(plan.unchanged),
    )
    return [said, *_remailed(done.remailed)]


def _upload_refused(error: Refused):
    """A bad or expired preview, one the roster has outrun (the new preview, 409), or
    an import that lost a race to another (upload again)."""
    if isinstance(error, roster_upload.PreviewStale):
        return _preview_page(error.preview, status=409, stale=True)
    if isinstance(error, roster_upload.UploadRefused):
        return _upload_page(UploadForm(formdata=None), error.messages, error.status)
    message = _("The roster changed while the file was being imported. Upload it again.")
    return _upload_page(UploadForm(formdata=None), [message], 409)


@bp.errorhandler(413)
def too_large(error):
    """A file past the request limit is refused before the view runs: say it plainly."""
    if request.endpoint == "units.upload":
        return _upload_page(UploadForm(formdata=None), [roster_upload.too_large_message()], 413)
    return render_error(413)


def _new_record(form: NewUnitForm) -> dict | None:
    """The checked record of a new unit; a code in use is named with the other errors."""
    record = form.record()
    code = (form.code.data or "").strip()
    if code and roster.code_taken(code):
        form.code.errors = [*form.code.errors, _code_taken(code)]
        return None
    return record


def _edited(code: str, edit: roster.UnitEdit) -> list[str]:
    if not edit.changed:
        return [_("Nothing was changed.")]
    said = _("The changes to %(code)s were saved.", code=code)
    return [said, *_remailed(edit.remailed)]


def _remailed(count: int) -> list[str]:
    if not count:
        return []
    return [_("%(count)d invitations were queued to the new address.", count=count)]


def _unit_refused(form, code: str | None, error: Refused):
    """The unit form again with the reason: another region (403); a new unit's code in
    use, also one taken by another admin at the same moment (422); a unit changed by
    someone else at the same moment (409, its current values)."""
    unit = _unit_or_404(code) if code is not None else None
    if error.code == "region_not_yours":
        form.region.data = current_user.region
        form.region.errors = [_region_refusal()]
        return _form_page(form, unit, 403)
    if unit is None:
        form.code.errors = [_code_taken((form.code.data or "").strip())]
        return _form_page(form, None, 422)
    fresh = UnitForm(formdata=None, obj=unit, version=_version(unit))  # changed meanwhile
    return _form_page(fresh, unit, 409, conflict=True)


def _code_taken(code: str) -> str:
    """The same words whichever region holds the code, so that a regional admin learns
    no more than that the code cannot be used (codes are unique nationwide)."""
    return _("The code %(code)s cannot be used.", code=code)


def _arg(name: str) -> str:
    """A filter from the query string (one with a NUL was refused before any view)."""
    return request.args.get(name, "")


def _unit_or_404(code: str) -> Unit:
    unit = roster.visible_unit(current_user, code)
    if unit is None:
        abort(404)
    return unit


def _version(unit: Unit) -> str:
    return unit.updated_at.isoformat() if unit.updated_at else ""


def _region_refusal() -> str:
    return _(
        "You can add and edit only the units of your region, %(region)s.",
        region=current_user.region,
    )


def _form_page(form, unit: Unit | None, status: int, conflict: bool = False):
    usage = roster.usage(unit) if unit is not None else (0, 0)
    return (
        render_template(
            "units/form.html",
            form=form,
            unit=unit,
            usage=usage,
            conflict=conflict,
        ),
        status,
    )


def _upload_page(form, messages: list[str] | None = None, status: int = 200):
    return render_template("units/upload.html", form=form, messages=messages), status


def _preview_page(preview, status: int, stale: bool = False):
    return (
        render_template(
            "units/preview.html",
            preview=preview,
            plan=preview.plan,
            problem_text=roster_upload.problem_text,
            stale=stale,
        ),
        status,
    )
