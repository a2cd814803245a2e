"""Answering through HTTP: draft, submit, edit, history, unsent changes, the confirmation
page, refusals after the deadline or a close (read afresh, never from memory), long and
odd input, prefill from the latest earlier round, conflicts, and wrong links counted."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from survey_app.models import Answer, Response, Round, SubmittedVersion
from survey_app.models.types import utcnow
from survey_app.respond import services
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import form_fields


def get_form(client, link):
    page = client.get(link)
    assert page.status_code == 200, page.data[:500]
    return page, form_fields(page.get_data(as_text=True))


def post(client, link, fields, **answers):
    return client.post(link, data={**fields, **answers})


def fields_of(client, link):
    return form_fields(client.get(link).get_data(as_text=True))


def test_page_shows_unit_round_deadline_and_both_questionnaires(client, db):
    invitation, link = make_invitation()
    page, _ = get_form(client, link)
    html = page.get_data(as_text=True)
    assert invitation.unit.name in html
    assert "Testikartoitus" in html
    assert "Kriteeri 1" in html and "Kriteeri 4" in html
    assert "Toimintarakenne on verkostoitunut" in html
    assert 'name="k1_1" value="yes"' in html
    assert 'name="kehy_mission"' in html
    assert 'name="action" value="save"' in html and 'name="action" value="submit"' in html
    assert '<html lang="fi">' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]


def test_draft_is_kept_and_does_not_count_as_submitted(client, db):
    invitation, link = make_invitation()
    _, fields = get_form(client, link)
    saved = post(client, link, fields, action="save", k1_1="planned", kehy_mission="Kehitämme")
    assert saved.status_code == 303
    page = client.get(link).get_data(as_text=True)
    assert 'value="planned" checked' in page
    assert "Kehitämme" in page
    response = db.session.scalar(select(Response))
    assert response.draft is not None and response.invitation.submitted_at is None
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_submit_in_one_step_with_optional_items_unanswered(client, db):
    invitation, link = make_invitation()
    _, fields = get_form(client, link)
    done = client.post(
        link, data={**fields, "action": "submit", "k2_1": "yes"}, follow_redirects=True
    )
    assert done.status_code == 200
    assert "Kiitos" in done.get_data(as_text=True)
    answers = dict(db.session.execute(select(Answer.item_code, Answer.value)).all())
    assert answers["k2_1"] == "yes"
    assert answers["kehy_name"] == invitation.unit.name  # prefilled from the roster
    assert "k1_1" not in answers


def test_resubmission_replaces_answers_and_keeps_history(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    assert post(client, link, fields, action="submit", k1_1="no").status_code == 303
    _, fields = get_form(client, link)
    assert post(client, link, fields, action="submit", k1_1="yes").status_code == 303
    values = db.session.scalars(select(Answer.value).where(Answer.item_code == "k1_1")).all()
    assert values == ["yes"]
    history = db.session.scalars(select(SubmittedVersion).order_by(SubmittedVersion.number)).all()
    assert [version.answers["k1_1"] for version in history] == [["no"], ["yes"]]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_draft_after_submit_does_not_change_submitted_answers(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    post(client, link, fields, action="submit", k1_1="no")
    _, fields = get_form(client, link)
    post(client, link, fields, action="save", k1_1="yes")
    assert db.session.scalar(select(Answer.value).where(Answer.item_code == "k1_1")) == "no"
    assert 'value="yes" checked' in client.get(link).get_data(as_text=True)


def test_a_draft_after_submitting_is_shown_as_unsent(client, db):
    _, link = make_invitation()
    client.post(link, data={**fields_of(client, link), "action": "submit", "k1_1": "no"})
    client.post(link, data={**fields_of(client, link), "action": "save", "k1_1": "yes"})
    page = client.get(link).get_data(as_text=True)
    assert "ei ole vielä lähetetty" in page


def test_second_tab_save_is_refused_with_a_message(client, db):
    _, link = make_invitation()
    _, tab_one = get_form(client, link)
    _, tab_two = get_form(client, link)
    assert post(client, link, tab_one, action="save", kehy_other="first tab").status_code == 303
    refused = post(client, link, tab_two, action="save", kehy_other="second tab")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "toisessa ikkunassa" in html
    assert "second tab" in html  # what was typed is still there
    response = db.session.scalar(select(Response))
    assert response.draft["kehy_other"] == ["first tab"]


def test_double_clicked_submit_stores_one_submission(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    first = post(client, link, fields, action="submit", k1_1="yes")
    second = post(client, link, fields, action="submit", k1_1="yes")
    assert first.status_code == 303 and second.status_code == 303
    assert second.headers["Location"].endswith("/done")
    assert db.session.scalar(select(func.count()).select_from(SubmittedVersion)) == 1


def test_post_after_deadline_is_refused_and_changes_nothing(client, db):
    round_ = make_round()
    _, link = make_invitation(round_=round_)
    _, fields = get_form(client, link)
    round_.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    refused = post(client, link, fields, action="submit", k1_1="yes")
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_closed_round_shows_submitted_answers_read_only(client, db):
    round_ = make_round()
    _, link = make_invitation(round_=round_)
    _, fields = get_form(client, link)
    post(client, link, fields, action="submit", k1_1="planned")
    round_.state, round_.closed_at = "closed", utcnow()
    db.session.commit()
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Suunnitteilla" in html
    assert "<form" not in html
    assert "sulkeutui" in html


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


def test_post_without_csrf_token_stores_nothing(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    del fields["csrf_token"]
    refused = post(client, link, fields, action="submit", kehy_other="typed text")
    assert refused.status_code == 400
    assert "typed text" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_form_drawn_in_another_browser_or_before_a_new_secret_still_posts(app, client, db):
    """The form's key belongs to its link, not to a browser session: a tab restored
    after the browser's restart posts, and so does a form drawn before the secret was
    replaced while the old one is still accepted (SECRET_KEY_FALLBACKS)."""
    _, link = make_invitation()
    _, fields = get_form(client, link)
    client.delete_cookie("session")  # none is set today; a browser restart drops it anyway
    assert post(client, link, fields, action="save", kehy_other="yksi").status_code == 303
    _, fields = get_form(client, link)
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "a-new-secret-key-of-enough-length-0123456789"
    assert post(client, link, fields, action="save", kehy_other="kaksi").status_code == 303
    app.config["SECRET_KEY_FALLBACKS"] = []
    refused = post(client, link, fields, action="save", kehy_other="kolme")
    assert refused.status_code == 400
    assert "kolme" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Response)).draft["kehy_other"] == ["kaksi"]


def test_too_long_text_is_refused_and_kept(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    too_long = "ä" * 10_001
    refused = post(client, link, fields, action="save", kehy_other=too_long)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "liian pitkä" in html
    assert too_long in html
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


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


def test_invalid_choice_is_refused_in_the_users_language(client, db):
    _, link = make_invitation(unit=make_unit(language="sv"))
    _, fields = get_form(client, link)
    refused = post(client, link, fields, action="save", k1_1="maybe")
    assert refused.status_code == 422
    assert "Välj" in refused.get_data(as_text=True)


def test_required_name_cleared_blocks_submit_but_not_draft(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    shown = {"shown": ["kehy_name"]}
    assert (
        client.post(link, data={**fields, **shown, "action": "save", "kehy_name": ""}).status_code
        == 303
    )
    _, fields = get_form(client, link)
    refused = client.post(link, data={**fields, **shown, "action": "submit", "kehy_name": " "})
    assert refused.status_code == 422
    assert 'href="#kehy_name"' in refused.get_data(as_text=True)


def test_oversized_body_is_refused_with_413(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    refused = post(client, link, fields, action="save", kehy_other="x" * (3 * 1024 * 1024))
    assert refused.status_code == 413


def test_unknown_action_is_a_400(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    assert post(client, link, fields, action="delete").status_code == 400


def test_profile_is_prefilled_from_the_previous_round(client, db):
    unit = make_unit()
    earlier = make_round(slug="syksy")
    _, old_link = make_invitation(round_=earlier, unit=unit)
    _, fields = get_form(client, old_link)
    post(client, old_link, fields, action="submit", kehy_mission="Toiminta-ajatus 2025", k1_1="yes")
    _, new_link = make_invitation(round_=make_round(slug="kevat"), unit=unit)
    html = client.get(new_link).get_data(as_text=True)
    assert "Toiminta-ajatus 2025" in html
    assert 'value="yes" checked' not in html  # criteria are answered afresh


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


def test_first_visit_is_recorded(client, db):
    invitation, link = make_invitation()
    assert invitation.first_opened_at is None
    client.get(link)
    db.session.refresh(invitation)
    assert invitation.first_opened_at is not None


def test_control_characters_are_dropped_not_a_500(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    saved = post(client, link, fields, action="submit", kehy_other="a\x07b\x1bc\td")
    assert saved.status_code == 303
    value = db.session.scalar(select(Answer.value).where(Answer.item_code == "kehy_other"))
    assert value == "abc\td"


def test_a_nul_byte_is_refused_but_the_typed_answers_come_back(client, db):
    """NUL is refused before any view (400, nothing stored), and the respondent gets
    the form again with everything typed, the NUL dropped: nothing typed is lost."""
    _, link = make_invitation()
    _, fields = get_form(client, link)
    refused = post(
        client, link, fields, action="submit", k1_1="planned", kehy_other="ennen\x00jälkeen"
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "ennenjälkeen" in page and 'value="planned" checked' in page
    assert "cannot be stored" in page or "ei voi tallentaa" in page
    assert db.session.scalar(select(Answer.value)) is None


def test_odd_hidden_fields_never_cause_a_500(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    with_nul = {**fields, "submission_key": "a\x00b"}
    assert post(client, link, with_nul, action="submit", k1_1="yes").status_code == 400
    odd = {**fields, "version": "²", "submission_key": "a b!", "shown": "nonsense"}
    assert post(client, link, odd, action="submit", k1_1="yes").status_code == 303
    assert db.session.scalar(select(Answer.value).where(Answer.item_code == "k1_1")) == "yes"


def test_a_burst_of_wrong_links_answers_429_but_valid_links_still_work(app, client, db):
    app.config["LINK_FAILURE_LIMIT"] = 5
    _, link = make_invitation()
    wrong = "/r/" + "A" * 43
    answers = [client.get(wrong).status_code for _ in range(8)]
    assert answers[:5] == [404] * 5
    assert answers[5:] == [429] * 3
    assert client.get(link).status_code == 200
    other_client = app.test_client()
    assert other_client.get(wrong, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404


def test_valid_links_are_never_counted(app, client, db):
    app.config["LINK_FAILURE_LIMIT"] = 2
    _, link = make_invitation()
    for _ in range(6):
        assert client.get(link).status_code == 200
    assert client.get("/r/" + "B" * 43).status_code == 404


def test_wrong_links_without_csrf_token_are_counted_too(app, client, db):
    app.config["LINK_FAILURE_LIMIT"] = 3
    statuses = [
        client.post("/r/" + "C" * 43, data={"action": "save"}).status_code for _ in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]


def test_the_error_summary_says_what_is_kept(client, db):
    """Refused answers are never saved; the summary says so without claiming that
    nothing was ever saved when a draft, or a submission, is kept."""
    _, link = make_invitation()
    _, fields = get_form(client, link)

    def summary(**answers):
        _, fields = get_form(client, link)
        page = post(client, link, fields, **answers)
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        return html.split('id="error-summary-saved">')[1].split("</p>")[0]

    assert summary(action="save", k1_1="maybe").startswith("Mitään ei ole vielä tallennettu")
    assert post(client, link, fields, action="save", k1_1="yes").status_code == 303
    kept = summary(action="save", k1_1="maybe")
    assert "Mitään ei ole vielä" not in kept and "luonnoksesi" in kept
    _, fields = get_form(client, link)
    assert post(client, link, fields, action="submit", kehy_name="Nimi").status_code == 303
    after_submit = summary(action="save", k1_1="maybe")
    assert "lähettämäsi vastaukset" in after_submit and "luonnoksesi" not in after_submit


def test_one_units_answers_and_errors_never_show_on_another_units_form(client, db):
    """Items are drawn from drawings kept per questionnaire version and language
    (respond/drawings.py): what one unit chose, typed or got wrong must not be kept
    with them, in any language."""
    round_ = make_round()
    first, first_link = make_invitation(round_=round_)
    other, other_link = make_invitation(round_=round_)
    db.session.commit()
    assert (
        post(
            client,
            first_link,
            fields_of(client, first_link),
            action="save",
            k1_1="yes",
            kehy_mission="Oma ajatus",
        ).status_code
        == 303
    )
    refused = post(client, first_link, fields_of(client, first_link), action="save", k1_2="maybe")
    assert refused.status_code == 422 and 'id="k1_2-error"' in refused.get_data(as_text=True)
    for language in ("fi", "sv", "en"):
        mine = client.get(f"{first_link}?lang={language}").get_data(as_text=True)
        assert 'id="k1_1-0" name="k1_1" value="yes" checked' in mine
        assert "Oma ajatus" in mine
        theirs = client.get(f"{other_link}?lang={language}").get_data(as_text=True)
        assert 'value="yes" checked' not in theirs and "Oma ajatus" not in theirs
        assert "k1_2-error" not in theirs and 'aria-invalid="true"' not in theirs
        assert 'id="k1_1-0" name="k1_1" value="yes">' in theirs
