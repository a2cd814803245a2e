"""The free-text answers per unit on a fixed dataset: submitted answers only (a draft
never shows), item non-response and empty texts left out, ordered by unit name, a
regional admin's region only, escaped on the page, and 404/login for the rest."""

from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import event

from survey_app.extensions import db as _db
from survey_app.models import Admin
from survey_app.models.types import utcnow
from survey_app.results.free_text import free_text_answers
from tests.factories import make_invitation, make_response, make_round, make_unit
from tests.helpers import create, login

SCRIPT = '<script>alert("x")</script> & <b>bold</b>'
LONG = "Pitkä" + "a" * 300 + " vastaus\ntoisella rivillä"


@pytest.fixture
def dataset(db, runner):
    """Itä-Suomi: "Örkki" and "Aalto" answer kehy_mission, "Aalto" also kehy_other with a
    script; "Bee" leaves every text out (item non-response) and "Cee" answers only with
    spaces. Lappi: "Lappi yksi" answers kehy_mission. "Draft" has a draft only, and
    "Örkki" has an unsent draft edit after submitting."""
    round_ = make_round(slug="kevat")

    def answered(name, region, answers, submit=True):
        unit = make_unit(name=name, code=name[:3].upper() + "-1", region=region)
        invitation, _ = make_invitation(round_=round_, unit=unit)
        make_response(invitation, answers, submit=submit)
        return invitation

    orkki = answered("Örkki", "Itä-Suomi", {"k1_1": "yes", "kehy_mission": "Örkin ajatus"})
    # An unsent edit after submitting: the submitted text stays what counts.
    edited = make_response(
        orkki, {"kehy_mission": "Örkin luonnos", "kehy_staff": "Luonnos"}, submit=False
    )
    assert edited.draft["kehy_mission"] == ["Örkin luonnos"] and edited.invitation.submitted_at
    answered("Aalto", "Itä-Suomi", {"kehy_mission": LONG, "kehy_other": SCRIPT})
    answered("Bee", "Itä-Suomi", {"k1_1": "no"})
    answered("Cee", "Itä-Suomi", {"kehy_mission": "   "})
    answered("Lappi yksi", "Lappi", {"kehy_mission": "Lapin ajatus"})
    answered("Draft", "Itä-Suomi", {"kehy_mission": "Luonnos ei näy"}, submit=False)
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    return round_


def admin(email):
    return _db.session.query(Admin).filter_by(email=email).one()


def answers_of(items, code):
    item = next(item for item in items if item.code == code)
    return [(a.unit_name, a.unit_code, a.text) for a in item.answers]


def test_submitted_texts_per_item_by_unit_name(dataset):
    items = free_text_answers(dataset, admin("paa@example.fi"), "en")
    # Every text item of the round's questionnaires, in questionnaire order (the shipped
    # criteria questionnaire has none; the profile form's twelve follow).
    assert [item.code for item in items][:3] == ["kehy_name", "kehy_municipality", "kehy_area"]
    assert len(items) == 12
    mission = next(item for item in items if item.code == "kehy_mission")
    assert mission.question == "Mission"
    # Ordered by name ("Ö" after "L"); the draft, the blank text and "Bee" are absent.
    assert answers_of(items, "kehy_mission") == [
        ("Aalto", "AAL-1", LONG),
        ("Lappi yksi", "LAP-1", "Lapin ajatus"),
        ("Örkki", "ÖRK-1", "Örkin ajatus"),
    ]
    assert answers_of(items, "kehy_other") == [("Aalto", "AAL-1", SCRIPT)]
    assert answers_of(items, "kehy_staff") == []
    assert free_text_answers(dataset, admin("paa@example.fi"), "fi")[7].question == (
        "Toiminta-ajatus"
    )


def test_regional_admin_sees_its_region_only(dataset):
    items = free_text_answers(dataset, admin("ita@example.fi"))
    assert [name for name, _, _ in answers_of(items, "kehy_mission")] == ["Aalto", "Örkki"]
    everything = free_text_answers(dataset, None)
    assert len(answers_of(everything, "kehy_mission")) == 3


def test_one_query_for_all_answers(dataset):
    national = admin("paa@example.fi")
    dataset.questionnaires  # noqa: B018  (loaded before counting)
    statements = []

    def count(*_args):
        statements.append(1)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        free_text_answers(dataset, national)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_a_round_without_text_items_lists_nothing(db):
    round_ = make_round(keys=("criteria",))
    invitation, _ = make_invitation(round_=round_)
    make_response(invitation, {"k1_1": "yes"})
    assert free_text_answers(round_, None) == []


def texts_on_page(html):
    tree = lxml.html.fromstring(html)
    return {
        item.get("id"): [dt.text_content().split(" (")[0].strip() for dt in item.iter("dt")]
        for item in tree.xpath('//li[@class="report-item"]')
    }, tree


def test_page_lists_answers_escaped_and_preliminary(client, dataset):
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/kevat/answers?lang=en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    units, tree = texts_on_page(html)
    assert units["text-kehy_mission"] == ["Aalto", "Lappi yksi", "Örkki"]
    assert units["text-kehy_other"] == ["Aalto"]
    assert units["text-kehy_staff"] == []
    assert "Luonnos ei näy" not in html
    assert "Örkin luonnos" not in html
    # The script is text, never markup.
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert tree.xpath('//*[@id="text-kehy_other"]//dd')[0].text_content() == SCRIPT
    assert tree.get_element_by_id("answers-preliminary", None) is not None
    assert len(tree.xpath("//h1")) == 1


def test_page_of_a_regional_admin(client, dataset):
    login(client, "ita@example.fi")
    html = client.get("/admin/rounds/kevat/answers?lang=en").get_data(as_text=True)
    units, _tree = texts_on_page(html)
    assert units["text-kehy_mission"] == ["Aalto", "Örkki"]
    assert "Lapin ajatus" not in html
    assert "Lappi yksi" not in html


def test_closed_round_is_not_preliminary_and_empty_state(client, db, runner):
    round_ = make_round(slug="vanha")
    invitation, _ = make_invitation(round_=round_)
    make_response(invitation, {"k1_1": "yes", "kehy_mission": "   "})
    round_.deadline = utcnow() - timedelta(days=1)  # passed since: closed, not preliminary
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/vanha/answers?lang=en")
    assert response.status_code == 200
    _units, tree = texts_on_page(response.get_data(as_text=True))
    assert tree.get_element_by_id("answers-preliminary", None) is None
    assert tree.get_element_by_id("answers-none", None) is not None


def test_unknown_round_is_404_and_anonymous_must_log_in(client, dataset):
    assert client.get("/admin/rounds/kevat/answers").status_code in (302, 401)
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/ei-ole/answers").status_code == 404
