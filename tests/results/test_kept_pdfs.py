"""PDFs are kept by what they show: a second download is the same file, not a new
drawing; a change in the data draws anew and replaces the old one; each language and
region has its own. The store and the worker's claims, on both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from survey_app.extensions import db
from survey_app.models import Admin, Document, Invitation, Round
from survey_app.models.types import utcnow
from survey_app.pdf import store, worker
from survey_app.units.roster import FIELDS, edit_unit, set_active
from tests.factories import make_invitation, make_response, make_unit
from tests.helpers import login, pdf_text

REPORT = "/admin/rounds/kevat/report.pdf?lang=en"


def _documents(db) -> list[Document]:
    db.session.rollback()
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def test_a_second_download_is_the_kept_file_until_a_number_changes(client, db, report_dataset):
    login(client, "paa@example.fi")
    first = client.get(REPORT)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    [kept] = _documents(db)
    assert kept.status == "ready" and kept.slot.endswith(":en:*")
    kept_key, kept_slot = kept.key, kept.slot
    # WeasyPrint stamps each drawing with its time: equal bytes mean nothing was drawn.
    assert client.get(REPORT).data == first.data
    assert [document.key for document in _documents(db)] == [kept_key]

    # Another unit submits: the numbers change; the PDF is drawn again and replaces it.
    kevat, _syksy = report_dataset
    invitation, _link = make_invitation(round_=kevat, unit=make_unit(region="Lappi"))
    make_response(invitation, {"k1_1": "yes"})
    again = client.get(REPORT)
    assert again.status_code == 200
    assert "(14 development units answered this survey)" in pdf_text(again)
    [replacement] = _documents(db)
    assert replacement.key != kept_key and replacement.slot == kept_slot


def test_each_language_and_region_has_its_own_file(client, db, report_dataset):
    login(client, "paa@example.fi")
    client.get(REPORT)
    client.get("/admin/rounds/kevat/report.pdf?lang=sv")
    client.post("/logout", data={})
    login(client, "lappi@example.fi")
    client.get(REPORT)
    slots = sorted(document.slot.split(":", 2)[2] for document in _documents(db))
    assert slots == ["en:*", "en:region=Lappi", "sv:*"]


def test_a_claim_keeps_other_workers_away_until_it_expires(app, db):
    document = store.queue(store.key_for("test", "a"), "test", "test.pdf", "<p>Hei</p>")
    assert worker.claim("first:1") == document.id
    assert worker.claim("second:2") is None
    expired = utcnow() - timedelta(seconds=1)
    db.session.execute(update(Document).values(claimed_until=expired))
    db.session.commit()
    # The first worker died mid-drawing: another takes the document over and draws it.
    assert worker.draw_one("second:2")
    [drawn] = _documents(db)
    assert drawn.status == "ready" and drawn.claimed_by is None
    assert db.session.scalar(select(Document.content)).startswith(b"%PDF")


def test_the_same_file_asked_for_twice_at_once_is_kept_once(app, db):
    key = store.key_for("test", "a")
    first = store.queue(key, "test", "test.pdf", "<p>Hei</p>")
    second = store.queue(key, "test", "test.pdf", "<p>Hei</p>")
    assert second.id == first.id
    assert db.session.scalar(select(func.count(Document.id))) == 1


def _statements_of(db, action) -> tuple[object, list[str]]:
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        return action(), statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("slug", ["syksy", "kevat"])
def test_a_kept_pdf_is_found_without_counting_the_answers(client, db, report_dataset, slug):
    """A closed round's answers can no longer change, so the round itself names its
    PDF; an open round's is named by its data's last change (its invitations, the
    units' values copied into them, its submissions). Either way a second download
    reads no answer, at any scale."""
    login(client, "paa@example.fi")
    url = f"/admin/rounds/{slug}/report.pdf?lang=en"
    first = client.get(url)
    assert first.status_code == 200
    again, statements = _statements_of(db, lambda: client.get(url))
    assert again.data == first.data
    assert statements and not [s for s in statements if "answers" in s], statements


def _resubmit(kevat):
    invitation = next(i for i in _invitations(kevat) if i.submitted_at is not None)
    make_response(invitation, {"k1_1": "no", "k1_2": "yes"})


def _invite(kevat):
    make_invitation(round_=kevat, unit=make_unit(region="Lappi"))


def _move_a_unit(kevat):
    invitation = next(i for i in _invitations(kevat) if i.submitted_at is not None)
    record = {name: getattr(invitation.unit, name) for name in FIELDS}
    edit_unit(_national(), invitation.unit, {**record, "field": "Päihdetyö"})
    db.session.commit()


def _deactivate_a_unit(kevat):
    invitation = next(i for i in _invitations(kevat) if i.submitted_at is not None)
    set_active(_national(), invitation.unit, active=False)
    db.session.commit()


def _pass_the_deadline(kevat):
    kevat.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def _rename_the_previous_round(kevat):
    db.session.execute(update(Round).where(Round.slug == "syksy").values(title="Syksy 2"))
    db.session.commit()


@pytest.mark.parametrize(
    "change",
    [
        _resubmit,
        _invite,
        _move_a_unit,
        _deactivate_a_unit,
        _pass_the_deadline,
        _rename_the_previous_round,
    ],
)
def test_an_open_rounds_kept_pdf_is_drawn_again_after_any_change_it_shows(
    client, db, report_dataset, change
):
    """Each input of the open round's report, changed alone, names another PDF: a
    missed one would serve old numbers as current."""
    login(client, "paa@example.fi")
    first = client.get(REPORT)
    [kept] = _documents(db)
    kept_key = kept.key
    kevat, _syksy = report_dataset
    change(db.session.merge(kevat))
    again = client.get(REPORT)
    assert again.status_code == 200 and again.mimetype == "application/pdf"
    [replacement] = _documents(db)
    assert replacement.key != kept_key
    assert again.data != first.data


def test_a_draft_saved_leaves_the_kept_pdf_as_it_is(client, db, report_dataset):
    """A draft is no number of the report: the kept file stays."""
    login(client, "paa@example.fi")
    first = client.get(REPORT)
    kevat, _syksy = report_dataset
    drafted = next(i for i in _invitations(db.session.merge(kevat)) if i.submitted_at is None)
    make_response(drafted, {"k1_1": "yes"}, submit=False)
    assert client.get(REPORT).data == first.data


def _invitations(kevat) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation).where(Invitation.round_id == kevat.id).order_by(Invitation.id)
        )
    )


def _national() -> Admin:
    return db.session.scalar(select(Admin).where(Admin.email == "paa@example.fi"))
