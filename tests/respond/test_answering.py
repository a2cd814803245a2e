"""Draft, submit, edit, history, late refusal, prefill, conflicts: through HTTP."""

from datetime import timedelta

from sqlalchemy import func, select

from survey_app.models import Answer, Response, SubmittedVersion
from survey_app.models.types import utcnow
from tests.conftest import form_fields
from tests.factories import make_invitation, make_round, make_unit


def get_form(client, link):
    page = client.get(link)
    assert page.status_code == 200, page.data[:500]
    return page, form_fields(page.get_data(as_text=True))


def post(client, link, fields, **answers):
    return client.post(link, data={**fields, **answers})


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


def test_post_without_csrf_token_stores_nothing(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    del fields["csrf_token"]
    refused = post(client, link, fields, action="submit", kehy_other="typed text")
    assert refused.status_code == 400
    assert "typed text" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


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


def test_swedish_unit_gets_a_swedish_page_and_can_switch(client, db):
    _, link = make_invitation(unit=make_unit(language="sv"))
    html = client.get(link).get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Verksamhetsstrukturen är nätverksbaserad" in html
    assert "Spara utkast" in html
    assert '<h1 lang="fi">Testikartoitus</h1>' in html  # no Swedish title given
    english = client.get(link + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Save draft" in english


def test_first_visit_is_recorded(client, db):
    invitation, link = make_invitation()
    assert invitation.first_opened_at is None
    client.get(link)
    db.session.refresh(invitation)
    assert invitation.first_opened_at is not None


def test_control_characters_are_dropped_not_a_500(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    saved = post(client, link, fields, action="submit", kehy_other="a\x00b\x07c\td")
    assert saved.status_code == 303
    value = db.session.scalar(select(Answer.value).where(Answer.item_code == "kehy_other"))
    assert value == "abc\td"


def test_odd_hidden_fields_never_cause_a_500(client, db):
    _, link = make_invitation()
    _, fields = get_form(client, link)
    odd = {**fields, "version": "²", "submission_key": "a\x00b", "shown": "nonsense"}
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


def test_a_translated_round_title_is_shown_in_the_page_language(client, db):
    round_ = make_round()
    round_.title_translations = {"sv": "Testkartläggning"}
    db.session.commit()
    _, link = make_invitation(round_=round_, unit=make_unit(language="sv"))
    html = client.get(link).get_data(as_text=True)
    assert "<h1>Testkartläggning</h1>" in html
