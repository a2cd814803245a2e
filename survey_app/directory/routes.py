"""The directory's pages and downloads: for admins (their region's units) at
/admin/directory and as PDF and DOCX; optionally for everyone at /kooste, profile fields only
(the setting DIRECTORY_PUBLIC, off by default)."""

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..i18n import current_language
from ..pdf import pdf_download
from ..timeutil import to_local
from ..web import no_store
from .compile import compile_directory
from .docx import directory_docx

bp = Blueprint("directory", __name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download_name(directory, extension: str) -> str:
    """kehy-kooste-2026-11-25.pdf: the day it was compiled, in Finnish time."""
    return f"kehy-kooste-{to_local(directory.compiled_at).date().isoformat()}.{extension}"


@bp.get("/admin/directory")
@login_required
def admin_directory():
    directory = compile_directory(current_user, current_language())
    return no_store(
        current_app.make_response(
            render_template("directory/directory.html", directory=directory, public=False)
        )
    )


@bp.get("/admin/directory.docx")
@login_required
def admin_directory_docx():
    directory = compile_directory(current_user, current_language())
    content = directory_docx(directory, _("KEHY directory"))
    response = current_app.response_class(content, mimetype=DOCX_TYPE)
    filename = download_name(directory, "docx")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


@bp.get("/admin/directory.pdf")
@login_required
def admin_directory_pdf():
    """Drawn in the background when large (PDF_INLINE_MAX_UNITS): about 60 ms a unit."""
    language = current_language()
    directory = compile_directory(current_user, language)
    return pdf_download(
        slot=f"directory:{language}:{current_user.scope}",
        shows=directory.shows(),
        filename=download_name(directory, "pdf"),
        render_html=lambda: render_template(
            "directory/directory.html", directory=directory, public=False, for_pdf=True
        ),
        in_background=directory.profile_count > current_app.config["PDF_INLINE_MAX_UNITS"],
    )


@bp.get("/kooste")
def public_directory():
    """Only the profile fields the units wrote for the directory: no criteria answers,
    nothing from the roster beyond each unit's name, region and field."""
    if not current_app.config.get("DIRECTORY_PUBLIC"):
        abort(404)
    directory = compile_directory(None, current_language())
    return render_template("directory/directory.html", directory=directory, public=True)
