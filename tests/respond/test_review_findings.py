"""Edge cases found in review: long texts, language switching, unsent changes, races."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from survey_app.models import Answer, Response, Round
from survey_app.models.types import utcnow
from survey_app.respond import services
from tests.conftest import form_fields
from tests.factories import make_invitation, make_round, make_unit


def fields_of(client, link):
    return form_fields(client.get(link).get_data(as_text=True))


def test_a_full_length_text_with_line_breaks_is_stored(client, db):
    """10,000 characters as the browser counts them (CRLF counts as one)."""
    _, link = make_invitation()
    lines = ["ä" * 999] * 10
    typed = "\r\n".join(lines)[: 10_000 + 9]
    assert len(typed.replace("\r\n", "\n")) <= 10_000
    sent = client.post(
        link,
        data={
            **fields_of(client, link),
            "action": "submit",
            "kehy_other": typed,
            "kehy_mission": typed,
        },
    )
    assert sent.status_code == 303
    stored = db.session.scalar(select(Answer.value).where(Answer.item_code == "kehy_other"))
    assert stored == typed.replace("\r\n", "\n")


def test_switching_language_keeps_what_was_typed(client, db):
    _, link = make_invitation()
    switched = client.post(
        link, data={**fields_of(client, link), "switch_language": "sv", "kehy_other": "kirjoitettu"}
    )
    assert switched.status_code == 303
    assert "lang=sv" in switched.headers["Location"]
    page = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "kirjoitettu" in page


def test_switching_language_without_changes_saves_nothing(client, db):
    _, link = make_invitation()
    switched = client.post(link, data={**fields_of(client, link), "switch_language": "en"})
    assert switched.status_code == 303
    assert db.session.scalar(select(Response)) is None


def test_a_draft_after_submitting_is_shown_as_unsent(client, db):
    _, link = make_invitation()
    client.post(link, data={**fields_of(client, link), "action": "submit", "k1_1": "no"})
    client.post(link, data={**fields_of(client, link), "action": "save", "k1_1": "yes"})
    page = client.get(link).get_data(as_text=True)
    assert "ei ole vielä lähetetty" in page


def test_confirmation_page_after_close_goes_to_the_read_only_page(client, db):
    round_ = make_round()
    _, link = make_invitation(round_=round_)
    client.post(link, data={**fields_of(client, link), "action": "submit", "k1_1": "no"})
    round_.state, round_.closed_at = "closed", utcnow()
    db.session.commit()
    done = client.get(link + "/done")
    assert done.status_code == 302
    assert done.headers["Location"].endswith(link)


def test_the_save_reads_the_round_afresh_not_from_memory(app, db):
    """A close committed by another process after this request loaded the round must
    stop the save: simulated by changing the row behind the session's back."""
    round_ = make_round()
    invitation, _link = make_invitation(round_=round_)
    assert invitation.round.state == "open"  # what this request saw when it started
    db.session.execute(
        update(Round)
        .where(Round.id == round_.id)
        .values(state="closed")
        .execution_options(synchronize_session=False)
    )
    assert invitation.round.state == "open"  # the stale copy in memory
    with pytest.raises(services.RoundNotOpen):
        services.save_answers(
            invitation,
            {"k1_1": ["yes"]},
            submit=True,
            language="fi",
            expected_version=None,
            submission_key=None,
        )
    db.session.rollback()
    assert db.session.scalar(select(Response)) is None


def test_prefill_comes_from_the_latest_earlier_round_not_a_later_one(client, db):
    unit = make_unit()
    now = utcnow()
    older = make_round(slug="older", deadline=now + timedelta(days=1))
    current = make_round(slug="current", deadline=now + timedelta(days=20))
    later = make_round(slug="later", deadline=now + timedelta(days=40))
    for round_, mission in ((older, "vanha"), (later, "myöhempi")):
        _, link = make_invitation(round_=round_, unit=unit)
        client.post(
            link, data={**fields_of(client, link), "action": "submit", "kehy_mission": mission}
        )
    _, link = make_invitation(round_=current, unit=unit)
    page = client.get(link).get_data(as_text=True)
    assert "vanha" in page and "myöhempi" not in page


def test_wrong_links_without_csrf_token_are_counted_too(app, client, db):
    app.config["LINK_FAILURE_LIMIT"] = 3
    statuses = [
        client.post("/r/" + "C" * 43, data={"action": "save"}).status_code for _ in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]
