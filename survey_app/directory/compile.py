"""Compiling the directory: each unit's latest submitted KEHY profile, grouped by region
and then by field, units by name.

A unit's profile comes from the most recent round (by deadline) in which it submitted
a response holding KEHY answers. `Answer` rows are the latest submission of each
response and drafts live apart in `Response.draft`, so drafts never count. The field
labels come from the KEHY version that round pinned: what the unit was actually asked.
A handful of queries whatever the number of units (no query per unit).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Admin,
    Answer,
    Invitation,
    QuestionnaireVersion,
    Response,
    Round,
    Unit,
)
from ..models.definition import Item
from ..models.types import utcnow
from ..results.aggregate import scoped

PROFILE_KEY = "kehy"
NAME_CODE = "kehy_name"  # the unit's own name for itself: its entry's title


@dataclass
class Entry:
    """One answered profile field: the question as asked and the unit's answer."""

    code: str
    question: str
    answer: str


@dataclass
class Profile:
    unit_id: int
    name: str
    region: str
    field: str
    round_title: str  # the round it was submitted in, in the directory's language
    submitted_at: datetime | None
    entries: list[Entry]

    @property
    def anchor(self) -> str:
        return f"unit-{self.unit_id}"


@dataclass
class FieldGroup:
    name: str
    anchor: str
    profiles: list[Profile] = field(default_factory=list)


@dataclass
class RegionGroup:
    name: str
    anchor: str
    fields: list[FieldGroup] = field(default_factory=list)


@dataclass
class Directory:
    compiled_at: datetime
    regions: list[RegionGroup]

    @property
    def profile_count(self) -> int:
        return sum(len(group.profiles) for region in self.regions for group in region.fields)

    def shows(self) -> str:
        """Everything the directory shows except when it was compiled: what its PDF is
        kept by."""
        return repr(self.regions)


def _sort_key(text: str) -> str:
    return text.casefold()


def _latest_responses(codes: set[str], admin: Admin | None):
    """(response id, unit, round) of each active unit's latest submitted profile."""
    has_profile = (
        select(Answer.id)
        .where(Answer.response_id == Response.id, Answer.item_code.in_(codes))
        .exists()
    )
    ranked = scoped(
        select(
            Response.id.label("response_id"),
            Unit.id.label("unit_id"),
            Invitation.round_id.label("round_id"),
            func.row_number()
            .over(
                partition_by=Unit.id,
                order_by=(Round.deadline.desc(), Round.id.desc()),
            )
            .label("rank"),
        )
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Round, Invitation.round_id == Round.id)
        .join(Unit, Invitation.unit_id == Unit.id)
        .where(
            Invitation.submitted_at.is_not(None),
            Unit.deactivated_at.is_(None),
            has_profile,
        ),
        admin,
    ).subquery()
    query = (
        select(ranked.c.response_id, Unit, Round, Invitation.submitted_at)
        .join(Unit, Unit.id == ranked.c.unit_id)
        .join(Round, Round.id == ranked.c.round_id)
        .join(Response, Response.id == ranked.c.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(ranked.c.rank == 1)
        .options(selectinload(Round.questionnaire_versions))  # the rounds' versions at once
    )
    return db.session.execute(query).all()


def _answers(response_ids: list[int], codes: set[str]) -> dict[int, dict[str, list[str]]]:
    values: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not response_ids:
        return values
    query = (
        select(Answer.response_id, Answer.item_code, Answer.value)
        .where(Answer.response_id.in_(response_ids), Answer.item_code.in_(codes))
        .order_by(Answer.response_id, Answer.item_code, Answer.position)
    )
    for response_id, code, value in db.session.execute(query):
        values[response_id][code].append(value)
    return values


def _show(item: Item, values: list[str], language: str) -> str:
    if item.is_choice:
        values = [item.label_for(value, language) for value in values]
    return ", ".join(value.strip() for value in values if value.strip())


def _entries(items: list[Item], values: dict[str, list[str]], language: str) -> list[Entry]:
    """The answered fields in questionnaire order; empty answers are left out."""
    entries = []
    for item in items:
        text = _show(item, values.get(item.code, []), language)
        if text:
            entries.append(Entry(code=item.code, question=item.text_in(language), answer=text))
    return entries


def compile_directory(admin: Admin | None = None, language: str = "fi") -> Directory:
    """The directory as this admin may see it (`admin=None`: every region)."""
    versions = {
        version.id: version
        for version in db.session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.key == PROFILE_KEY)
        )
    }
    codes = {item.code for version in versions.values() for item in version.questionnaire.items}
    rows = _latest_responses(codes, admin) if codes else []
    answers = _answers([row.response_id for row in rows], codes)
    newest = max(versions.values(), key=lambda version: version.version, default=None)

    grouped: dict[str, dict[str, list[Profile]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        # The version this round pinned (loaded with the rounds, in one query).
        pinned = [v for v in row.Round.questionnaire_versions if v.key == PROFILE_KEY]
        version = pinned[0] if pinned else newest
        entries = _entries(version.questionnaire.items, answers[row.response_id], language)
        if not entries:
            continue
        unit = row.Unit
        own_name = [entry.answer for entry in entries if entry.code == NAME_CODE]
        grouped[unit.region][unit.field].append(
            Profile(
                unit_id=unit.id,
                # The name the unit submitted is the title (the roster's where empty),
                # so it is not repeated below it.
                name=own_name[0] if own_name else unit.name,
                region=unit.region,
                field=unit.field,
                round_title=row.Round.title_in(language)[0],
                submitted_at=row.submitted_at,
                entries=[entry for entry in entries if entry.code != NAME_CODE],
            )
        )

    regions = []
    for r_index, region in enumerate(sorted(grouped, key=_sort_key), start=1):
        region_group = RegionGroup(name=region, anchor=f"region-{r_index}")
        for f_index, field_name in enumerate(sorted(grouped[region], key=_sort_key), start=1):
            profiles = sorted(grouped[region][field_name], key=lambda p: _sort_key(p.name))
            region_group.fields.append(
                FieldGroup(
                    name=field_name, anchor=f"region-{r_index}-field-{f_index}", profiles=profiles
                )
            )
        regions.append(region_group)
    return Directory(compiled_at=utcnow(), regions=regions)
