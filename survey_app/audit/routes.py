"""The audit log page: every admin action, filtered by action, admin and dates; a
regional admin sees its own region's entries and its own."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..web import no_store
from . import entries, labels

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
bp.after_request(no_store)
bp.add_app_template_filter(labels.action_label, "audit_action")
bp.add_app_template_filter(labels.target_label, "audit_target")
bp.add_app_template_global(labels.value_label, "audit_value_name")
bp.add_app_template_global(labels.value_text, "audit_value")


@bp.get("")
@login_required
def log():
    filters, errors = _filters(request.args)
    page = render_template(
        "audit/log.html",
        entries=entries.visible_entries(current_user, filters),
        filters=filters,
        choices=entries.filter_choices(current_user),
        errors=errors,
    )
    return page, 422 if errors else 200


def _filters(args) -> tuple[entries.AuditFilter, dict[str, str]]:
    """The filters from the query string, and a message per date that is not one (that
    date is then no filter)."""
    errors = {}
    days = {}
    for name in ("from", "to"):
        try:
            days[name] = entries.parse_date(args.get(name))
        except ValueError:
            days[name] = None
            errors[name] = _("Enter a date as YYYY-MM-DD, for example 2027-03-31.")
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = _("The end date is before the start date.")
        days["to"] = None
    filters = entries.AuditFilter(
        action=args.get("action") or None,
        admin_email=args.get("admin") or None,
        date_from=days["from"],
        date_to=days["to"],
    )
    return filters, errors
