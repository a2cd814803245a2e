"""The roster pages: list, search and filter the units an admin may see; add, edit,
deactivate, reactivate (and delete a never-invited unit); upload a roster with a
preview. Another region's unit answers 404, as if it did not exist."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..errors import render_error
from ..extensions import db
from ..models import Unit
from ..models.unit import UNIT_STATUSES
from ..web import no_store
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
    return render_template(
        "units/list.html",
        units=roster.roster(current_user, filters),
        filters=filters,
        choices=filter_choices(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_unit():
    form = NewUnitForm()
    status = 200
    if request.method == "GET":
        form.region.data = current_user.region or ""
    elif not form.validate_on_submit() or (record := _new_record(form)) is None:
        status = 422
    else:
        try:
            unit = roster.add_unit(current_user, record)
            db.session.commit()
        except roster.RegionRefused:
            db.session.rollback()
            form.region.data = current_user.region
            form.region.errors = [_region_refusal()]
            status = 403
        except (roster.CodeTaken, IntegrityError):
            db.session.rollback()
            form.code.errors = [_code_taken(record["code"])]
            status = 422
        else:
            flash(_("The unit %(code)s was added.", code=unit.code), "success")
            return _to_unit(unit)
    return _form_page(form, None, status)


@bp.route("/<path:code>/edit", methods=["GET", "POST"])
@login_required
def unit_page(code: str):
    unit = _unit_or_404(code)
    form = UnitForm(obj=unit)
    status = 200
    conflict = False
    if request.method == "GET":
        form.version.data = _version(unit)
    elif not form.validate_on_submit():
        status = 422
    elif form.version.data != _version(unit):
        form = UnitForm(formdata=None, obj=unit, version=_version(unit))
        conflict, status = True, 409
    elif (record := form.record(unit.code)) is None:
        status = 422
    else:
        try:
            edit = roster.edit_unit(current_user, unit, record)
        except roster.RegionRefused:
            db.session.rollback()
            unit = _unit_or_404(code)
            form.region.data = current_user.region
            form.region.errors = [_region_refusal()]
            status = 403
        else:
            db.session.commit()
            if edit.changed:
                flash(_("The changes to %(code)s were saved.", code=unit.code), "success")
            else:
                flash(_("Nothing was changed."), "success")
            _flash_remailed(edit.remailed)
            return _to_unit(unit)
    return _form_page(form, unit, status, conflict=conflict)


@bp.post("/<path:code>/deactivate")
@login_required
def deactivate(code: str):
    unit = _unit_or_404(code)
    if roster.set_active(current_user, unit, active=False):
        db.session.commit()
        flash(_("%(code)s was deactivated.", code=unit.code), "success")
    return _to_unit(unit)


@bp.post("/<path:code>/reactivate")
@login_required
def reactivate(code: str):
    unit = _unit_or_404(code)
    if roster.set_active(current_user, unit, active=True):
        db.session.commit()
        flash(_("%(code)s is active again.", code=unit.code), "success")
    return _to_unit(unit)


@bp.post("/<path:code>/delete")
@login_required
def delete(code: str):
    unit = _unit_or_404(code)
    try:
        roster.delete_unit(current_user, unit)
        db.session.commit()
    except (roster.UnitInUse, IntegrityError):  # IntegrityError: invited meanwhile
        db.session.rollback()
        message = _(
            "%(code)s has been invited to a round, so it is kept: deactivate it instead.",
            code=code,
        )
        return render_error(409, message)
    flash(_("%(code)s was deleted.", code=code), "success")
    return redirect(url_for("units.list_units"), code=303)


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
    filename = _clean_filename(file.filename)
    try:
        rows = roster_upload.read_upload(filename, file.read(roster_upload.MAX_UPLOAD_BYTES + 1))
        preview = roster_upload.preview(current_user, filename, rows)
    except roster_upload.UploadRefused as refusal:
        return _upload_page(form, refusal.messages, refusal.status)
    return _preview_page(preview, status=422 if preview.plan.problems else 200)


@bp.post("/upload/confirm")
@login_required
def confirm_upload():
    try:
        done = roster_upload.confirm(current_user, request.form.get("preview", ""))
        db.session.commit()
    except roster_upload.UploadRefused as refusal:
        db.session.rollback()
        return _upload_page(UploadForm(formdata=None), refusal.messages, refusal.status)
    except roster_upload.PreviewStale as stale:
        db.session.rollback()
        return _preview_page(stale.preview, status=409, stale=True)
    except IntegrityError:  # another import added the same code meanwhile
        db.session.rollback()
        message = _("The roster changed while the file was being imported. Upload it again.")
        return _upload_page(UploadForm(formdata=None), [message], 409)
    plan = done.plan
    flash(
        _(
            "%(file)s was imported: %(new)d new, %(changed)d changed, %(unchanged)d unchanged.",
            file=done.filename,
            new=len(plan.new),
            changed=len(plan.updates),
            unchanged=len(plan.unchanged),
        ),
        "success",
    )
    _flash_remailed(done.remailed)
    return redirect(url_for("units.list_units"), code=303)


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


def _flash_remailed(count: int) -> None:
    if count:
        flash(_("%(count)d invitations were queued to the new address.", count=count), "success")


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


def _to_unit(unit: Unit):
    return redirect(url_for("units.unit_page", code=unit.code), code=303)


def _region_refusal() -> str:
    return _(
        "You can add and edit only the units of your region, %(region)s.",
        region=current_user.region,
    )


def _clean_filename(name: str) -> str:
    """The name the browser sent, for messages and the audit log: no path, no controls."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[-100:] or "roster"


def _form_page(form, unit: Unit | None, status: int, conflict: bool = False):
    usage = roster.usage(unit) if unit is not None else (0, 0)
    return (
        render_template(
            "units/form.html",
            form=form,
            unit=unit,
            usage=usage,
            conflict=conflict,
            **filter_choices(current_user),
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
