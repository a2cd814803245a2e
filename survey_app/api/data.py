"""What the API answers, as plain JSON-ready dicts, every number through the admin's
scope (a regional token counts and lists only its region's units)."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from ..auth.scope import visible_rounds
from ..extensions import db
from ..formatting import percent
from ..invitations.dashboard import round_dashboard
from ..invitations.status import Totals
from ..models import Admin, Answer, Invitation, Response, Round, Unit
from ..results.aggregate import submitted_responses

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
MAX_PAGE = 999_999_999  # the document's maximum: far past any last page
# The stages whose share of the invited units the dashboard shows as a rate.
RATED = ("mailed", "opened", "draft", "submitted")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def round_summary(round_: Round, invited: int, submitted: int) -> dict:
    titles = {"fi": round_.title}
    for language, text in sorted((round_.title_translations or {}).items()):
        if text:
            titles[language] = text
    return {
        "slug": round_.slug,
        "title": titles,
        "state": round_.effective_state(),
        "deadline": iso(round_.deadline),
        "opened_at": iso(round_.opened_at),
        "closed_at": iso(round_.closed_time()),
        "questionnaires": [
            {"key": version.key, "version": version.version}
            for version in round_.questionnaire_versions
        ],
        "invited": invited,
        "submitted": submitted,
    }


def rounds(admin: Admin) -> dict:
    return {
        "rounds": [
            round_summary(round_, invited, submitted)
            for round_, invited, submitted in visible_rounds(admin)
        ]
    }


def _totals(totals: Totals) -> dict:
    return {
        "units": totals.units,
        "invited": totals.invited,
        "mailed": totals.mailed,
        "queued": totals.queued,
        "failed": totals.failed,
        "bounced": totals.bounced,
        "opened": totals.opened,
        "draft": totals.draft,
        "submitted": totals.submitted,
        "response_rate": float(totals.response_rate),
        "percent": {name: percent(getattr(totals, name), totals.invited) for name in RATED},
    }


def status(round_: Round, admin: Admin) -> dict:
    """The round dashboard's numbers (admin/dashboard.py), without the contacts."""
    dashboard = round_dashboard(round_, admin)
    return {
        "round": round_.slug,
        "state": round_.effective_state(dashboard.generated_at),
        "deadline": iso(round_.deadline),
        "generated_at": iso(dashboard.generated_at),
        "totals": _totals(dashboard.totals),
        "stages": dict(dashboard.stages),
        "by_region": [{"name": row.name, **_totals(row.totals)} for row in dashboard.by_region],
        "by_field": [{"name": row.name, **_totals(row.totals)} for row in dashboard.by_field],
    }


def _submitted_responses(round_: Round, admin: Admin):
    """The round's submitted responses (as the results count them), in the admin's
    scope, each with its invitation (the unit as it was for the round)."""
    return admin.scope_invitations(submitted_responses(select(Response, Unit, Invitation), round_))


def responses_page(round_: Round, admin: Admin, page: int, per_page: int, link) -> dict:
    """One page of the submitted responses by unit code (the page's answers in one
    query), with links to the pages around it (`link(number)` makes one)."""
    query = _submitted_responses(round_, admin)
    total = db.session.scalar(query.with_only_columns(func.count(Response.id))) or 0
    rows = db.session.execute(
        query.order_by(Unit.code, Unit.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    multiple = {
        item.code
        for questionnaire in round_.questionnaires
        for item in questionnaire.items
        if item.is_multiple
    }
    answers: dict[int, dict[str, list[str]]] = {row.Response.id: {} for row in rows}
    if answers:
        values = db.session.execute(
            select(Answer.response_id, Answer.item_code, Answer.value)
            .where(Answer.response_id.in_(list(answers)))
            .order_by(Answer.response_id, Answer.item_code, Answer.position)
        )
        for response_id, code, value in values:
            answers[response_id].setdefault(code, []).append(value)
    entries = []
    for response, unit, invitation in rows:
        given = answers[response.id]
        entries.append(
            {
                "unit": {
                    "code": unit.code,
                    "name": invitation.unit_name,
                    "region": invitation.unit_region,
                    "field": invitation.unit_field,
                    "status": invitation.unit_status,
                },
                "language": response.language,
                "submitted_at": iso(invitation.submitted_at),
                "answers": {
                    code: values if code in multiple or len(values) > 1 else values[0]
                    for code, values in sorted(given.items())
                },
            }
        )
    pages = (total + per_page - 1) // per_page
    return {
        "round": round_.slug,
        "pagination": {
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": pages,
            "next": link(page + 1) if page < pages else None,
            "previous": link(min(page - 1, pages)) if page > 1 and pages else None,
        },
        "responses": entries,
    }
