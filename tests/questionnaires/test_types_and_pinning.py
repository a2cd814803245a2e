"""Every item type through the respondent page, and rounds pinning their versions."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from survey_app.models import Answer, QuestionnaireVersion, round_questionnaires
from survey_app.models.types import utcnow
from survey_app.questionnaires import registry
from survey_app.questionnaires.validation import DefinitionError, validate_definition
from survey_app.rounds.services import create_round
from survey_app.timeutil import parse_local
from tests.factories import make_invitation, make_round
from tests.helpers import form_fields

T = {"fi": "teksti", "sv": "text", "en": "text"}

ALL_TYPES = {
    "key": "alltypes",
    "version": 1,
    "title": T,
    "sections": [
        {
            "code": "s1",
            "title": T,
            "items": [
                {
                    "code": "q_one",
                    "type": "single_choice",
                    "text": T,
                    "options": [{"value": "a", "label": T}, {"value": "b", "label": T}],
                },
                {
                    "code": "q_many",
                    "type": "multiple_choice",
                    "text": T,
                    "options": [
                        {"value": "x", "label": T},
                        {"value": "y", "label": T},
                        {"value": "z", "label": T},
                    ],
                },
                {"code": "q_short", "type": "short_text", "text": T, "max_length": 5},
                {"code": "q_long", "type": "long_text", "text": T},
                {"code": "q_num", "type": "number", "text": T, "min": 0, "max": 100},
                {"code": "q_whole", "type": "number", "text": T, "whole": True},
            ],
        }
    ],
}


def test_the_all_types_definition_is_valid():
    assert validate_definition(ALL_TYPES) == []


@pytest.fixture
def all_types_link(db):
    round_ = make_round(keys=())
    version = QuestionnaireVersion(key="alltypes", version=1, checksum="x", definition=ALL_TYPES)
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        insert(round_questionnaires),
        [{"round_id": round_.id, "questionnaire_version_id": version.id, "position": 0}],
    )
    db.session.commit()
    _invitation, link = make_invitation(round_=round_)
    return link


def _submit(client, link, data):
    fields = form_fields(client.get(link).get_data(as_text=True))
    shown = ["q_one", "q_many", "q_short", "q_long", "q_num", "q_whole"]
    return client.post(link, data={**fields, "shown": shown, "action": "submit", **data})


def test_every_item_type_is_stored(client, db, all_types_link):
    page = client.get(all_types_link).get_data(as_text=True)
    assert 'type="checkbox"' in page and 'type="radio"' in page and "<textarea" in page
    assert 'id="q_whole" name="q_whole" value="" inputmode="numeric"' in page
    sent = _submit(
        client,
        all_types_link,
        {
            "q_one": "b",
            "q_many": ["x", "z"],
            "q_short": "abc",
            "q_long": "rivi 1\r\nrivi 2",
            "q_num": "3,5",
            "q_whole": "1 200",
        },
    )
    assert sent.status_code == 303
    rows = db.session.execute(select(Answer.item_code, Answer.value)).all()
    assert sorted(rows) == sorted(
        [
            ("q_one", "b"),
            ("q_many", "x"),
            ("q_many", "z"),
            ("q_short", "abc"),
            ("q_long", "rivi 1\nrivi 2"),
            ("q_num", "3.5"),
            ("q_whole", "1200"),
        ]
    )


def test_unticking_every_box_clears_the_item(client, db, all_types_link):
    _submit(client, all_types_link, {"q_many": ["x"]})
    _submit(client, all_types_link, {})
    assert db.session.scalar(select(Answer).where(Answer.item_code == "q_many")) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q_num": "lots"}, "Anna luku"),
        ({"q_num": "101"}, "väliltä"),
        ({"q_whole": "3,5"}, "Anna kokonaisluku"),
        ({"q_short": "abcdef"}, "liian pitkä"),
        ({"q_many": ["x", "nope"]}, "Valitse"),
    ],
)
def test_invalid_values_are_refused_with_a_finnish_message(
    client, db, all_types_link, data, message
):
    refused = _submit(client, all_types_link, data)
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert db.session.scalar(select(Answer)) is None


@pytest.fixture
def definitions_copy(tmp_path, monkeypatch):
    folder = tmp_path / "definitions"
    shutil.copytree(registry.DEFINITIONS_DIR, folder)
    monkeypatch.setattr(registry, "DEFINITIONS_DIR", folder)
    return folder


def _deadline():
    return parse_local("2099-01-01T12:00").replace(year=utcnow().year + 1)  # within 5 years


def test_editing_a_definition_without_a_new_version_is_refused(db, definitions_copy):
    create_round("first", "First", _deadline())
    path = definitions_copy / "criteria-v2.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Toimintarakenne on verkostoitunut", "Muutettu teksti"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match="raise `version`"):
        create_round("second", "Second", _deadline())


def test_a_new_version_leaves_the_old_round_as_it_was(db, definitions_copy):
    first = create_round("first", "First", _deadline())
    db.session.commit()
    old = definitions_copy / "criteria-v2.yaml"
    new_text = (
        old.read_text(encoding="utf-8")
        .replace("Toimintarakenne on verkostoitunut", "Uusi muotoilu")
        .replace("version: 2", "version: 3")
    )
    Path(definitions_copy / "criteria-v3.yaml").write_text(new_text, encoding="utf-8")
    second = create_round("second", "Second", _deadline())
    db.session.commit()
    db.session.expire_all()

    def first_item_text(round_):
        criteria = next(q for q in round_.questionnaires if q.key == "criteria")
        return criteria.version, criteria.items[0].text["fi"]

    assert first_item_text(first) == (2, "Toimintarakenne on verkostoitunut")
    assert first_item_text(second) == (3, "Uusi muotoilu")


def test_numbers_that_are_not_plain_numbers_are_refused(client, db, all_types_link):
    for text in ("nan", "inf", "1e5", "١٢"):
        refused = _submit(client, all_types_link, {"q_num": text})
        assert refused.status_code == 422, text
    assert _submit(client, all_types_link, {"q_num": " 12,5"}).status_code == 303
    assert db.session.scalar(select(Answer.value).where(Answer.item_code == "q_num")) == "12.5"
