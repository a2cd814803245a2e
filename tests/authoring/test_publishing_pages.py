"""A national admin publishes a questionnaire version in the browser: downloads the
newest as a spreadsheet, uploads a changed one, sees the form as a unit would in fi, sv
and en and what changed, and publishes it (audited); nothing is stored before that, nor
from a broken file, a stale preview or another admin's preview."""

import io

import lxml.html
import pytest
from sqlalchemy import select

from survey_app.models import AuditEntry, QuestionnaireVersion
from survey_app.questionnaires.xlsform_read import read_xlsform
from tests.factories import make_unit
from tests.helpers import create, invoke, login
from tests.questionnaires.workbook import Workbook, add_new_item
from tests.rounds.helpers import csrf, post


@pytest.fixture
def admins(runner, db):
    make_unit(region="Lappi")
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")


def stored(db) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(QuestionnaireVersion.version)
            .filter_by(key="criteria")
            .order_by(QuestionnaireVersion.version)
        )
    )


def changed_workbook(client, tmp_path):
    """The newest criteria downloaded from the page, k1_1 reworded in Swedish and k1_9
    added."""
    downloaded = client.get("/admin/questionnaires/criteria/v2.xlsx")
    assert downloaded.status_code == 200
    assert "criteria-v2.xlsx" in downloaded.headers["Content-Disposition"]
    path = tmp_path / "criteria.xlsx"
    path.write_bytes(downloaded.data)
    workbook = Workbook(path)
    workbook.set("survey", workbook.find("survey", "name", "k1_1"), "label::sv", "Ett nätverk")
    add_new_item(workbook)
    return workbook.save(tmp_path / "kriteerit-kevat.xlsx").read_bytes()


def upload(client, content: bytes, name="kriteerit-kevat.xlsx", lang="en"):
    return client.post(
        f"/admin/questionnaires/upload?lang={lang}",
        data={"csrf_token": csrf(client), "definition": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def token_of(html: str) -> str:
    tree = lxml.html.fromstring(html)
    return tree.xpath('//form[@id="confirm-form"]/input[@name="preview"]/@value')[0]


def test_a_national_admin_previews_and_publishes_a_changed_spreadsheet(
    client, db, admins, tmp_path
):
    login(client, "paa@example.fi")
    listing = client.get("/admin/questionnaires?lang=en").get_data(as_text=True)
    assert "v2 (newest)" in listing and "Publish a new version" in listing
    assert read_xlsform(client.get("/admin/questionnaires/kehy/v2.xlsx").data)["key"] == "kehy"
    assert b"key: kehy" in client.get("/admin/questionnaires/kehy/v2.yaml").data

    previewed = upload(client, changed_workbook(client, tmp_path))
    assert previewed.status_code == 200, previewed.get_data(as_text=True)
    html = previewed.get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    assert "Check before publishing: Development unit criteria, version 3" in html
    assert "What changes from version 2" in html
    changes = " ".join(tree.xpath('//*[@id="changes-list"]')[0].text_content().split())
    assert "New questions k1_9 The unit has a website of its own" in changes
    reworded = tree.xpath('//*[@id="reworded-k1_1"]')[0]
    assert reworded.xpath(".//del")[0].text == "Verksamhetsstrukturen är nätverksbaserad"
    assert reworded.xpath(".//ins")[0].text == "Ett nätverk"
    assert not tree.xpath('//*[@id="breaks-comparison"]')  # nothing breaks comparison
    # The form as a unit sees it, in the admin's language and then in Swedish.
    assert tree.xpath('//*[@id="item-k1_9"]//legend')[0].text_content().endswith("own")
    assert stored(db) == []  # a preview stores nothing
    swedish = client.post(
        "/admin/questionnaires/preview?lang=en",
        data={"csrf_token": csrf(client), "preview": token_of(html), "language": "sv"},
    )
    assert swedish.status_code == 200
    form = lxml.html.fromstring(swedish.get_data(as_text=True)).xpath('//*[@id="form-preview"]')
    assert "Enheten har en egen webbplats" in form[0].text_content()
    assert "Ett nätverk" in form[0].text_content()

    published = post(client, "/admin/questionnaires/confirm?lang=en", preview=token_of(html))
    assert published.status_code == 303
    assert stored(db) == [2, 3]
    entry = db.session.scalar(select(AuditEntry).filter_by(action="publish questionnaire"))
    assert (entry.admin_email, entry.target) == ("paa@example.fi", "criteria v3")
    assert entry.after == {"file": "kriteerit-kevat.xlsx"}
    page = client.get("/admin/questionnaires?lang=en").get_data(as_text=True)
    assert "Version 3 of criteria was published." in page and "v3 (newest)" in page
    # A second click on the same confirmation finds it published: nothing more stored.
    again = post(client, "/admin/questionnaires/confirm?lang=en", preview=token_of(html))
    assert again.status_code == 303 and stored(db) == [2, 3]
    audited = select(AuditEntry).filter_by(action="publish questionnaire")
    assert len(db.session.scalars(audited).all()) == 1


def test_a_broken_spreadsheet_is_refused_in_the_admins_language(client, db, admins, tmp_path):
    login(client, "paa@example.fi")
    path = tmp_path / "c.xlsx"
    path.write_bytes(client.get("/admin/questionnaires/criteria/v2.xlsx").data)
    workbook = Workbook(path)
    row = workbook.find("survey", "name", "k1_1")
    workbook.set("survey", row, "label::sv", None)
    workbook.set("survey", row + 1, "type", "select_one nosuch")
    refused = upload(client, workbook.save(tmp_path / "broken.xlsx").read_bytes(), lang="fi")
    assert refused.status_code == 422
    errors = lxml.html.fromstring(refused.get_data(as_text=True)).xpath(
        '//*[@id="upload-errors"]//li'
    )
    messages = [" ".join(li.text_content().split()) for li in errors]
    assert f"välilehti survey, rivi {row}, sarake label::sv: teksti puuttuu" in messages
    no_list = "choices-välilehdellä ei ole listaa 'nosuch'"
    assert f"välilehti survey, rivi {row + 1}, sarake type: {no_list}" in messages
    assert 3 not in stored(db)
    assert upload(client, b"not a workbook", name="c.xlsx").status_code == 422
    assert upload(client, b"key: x", name="c.txt").status_code == 415


def test_a_preview_confirmed_after_another_version_was_published_is_shown_again(
    client, db, runner, admins, tmp_path
):
    login(client, "paa@example.fi")
    html = upload(client, changed_workbook(client, tmp_path)).get_data(as_text=True)
    meanwhile = tmp_path / "meanwhile.yaml"
    meanwhile.write_bytes(client.get("/admin/questionnaires/criteria/v2.yaml").data)
    meanwhile.write_text(
        meanwhile.read_text(encoding="utf-8").replace("Toimintarakenne", "Rakenne"),
        encoding="utf-8",
    )
    invoke(runner, "questionnaires", "publish", meanwhile)
    stale = post(client, "/admin/questionnaires/confirm?lang=en", preview=token_of(html))
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Another version was published meanwhile" in page
    assert "What changes from version 3" in page and "version 4" in page
    assert stored(db) == [2, 3]
    assert post(client, "/admin/questionnaires/confirm", preview=token_of(page)).status_code == 303
    assert stored(db) == [2, 3, 4]


def test_only_a_national_admin_publishes_and_only_with_its_own_preview(
    client, db, admins, tmp_path
):
    login(client, "paa@example.fi")
    content = changed_workbook(client, tmp_path)
    token = token_of(upload(client, content).get_data(as_text=True))
    client.post("/admin/logout", data={"csrf_token": csrf(client)})
    login(client, "lappi@example.fi")
    listing = client.get("/admin/questionnaires?lang=en").get_data(as_text=True)
    assert "v2 (newest)" in listing and "Publish a new version" not in listing
    assert upload(client, content).status_code == 403
    assert post(client, "/admin/questionnaires/confirm", preview=token).status_code == 403
    assert 3 not in stored(db)


def test_a_preview_is_confirmed_only_by_the_admin_it_was_made_for(
    client, db, runner, admins, tmp_path
):
    create(runner, "toinen@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    token = token_of(upload(client, changed_workbook(client, tmp_path)).get_data(as_text=True))
    client.post("/admin/logout", data={"csrf_token": csrf(client)})
    login(client, "toinen@example.fi")
    for forged in (token, token[:-4] + "AAAA", ""):
        refused = post(client, "/admin/questionnaires/confirm?lang=en", preview=forged)
        assert refused.status_code == 400
        assert "This preview has expired or is not yours." in refused.get_data(as_text=True)
    assert 3 not in stored(db)


def test_questions_only_put_in_another_order_can_be_published(client, db, admins, tmp_path):
    login(client, "paa@example.fi")
    path = tmp_path / "c.xlsx"
    path.write_bytes(client.get("/admin/questionnaires/criteria/v2.xlsx").data)
    workbook = Workbook(path)
    worksheet, _header = workbook.rows("survey")
    first = workbook.find("survey", "name", "k1_1")
    for one, other in zip(worksheet[first], worksheet[first + 1], strict=True):
        one.value, other.value = other.value, one.value  # k1_2 before k1_1
    html = upload(client, workbook.save(tmp_path / "order.xlsx").read_bytes()).get_data(
        as_text=True
    )
    assert "Questions are in another order or another section." in html
    assert 'id="confirm-form"' in html


def test_an_unchanged_file_has_nothing_to_publish(client, db, admins):
    login(client, "paa@example.fi")
    same = client.get("/admin/questionnaires/criteria/v2.yaml").data
    previewed = upload(client, same, name="criteria.yaml")
    html = previewed.get_data(as_text=True)
    assert previewed.status_code == 200
    assert "there is nothing to publish" in html and 'id="confirm-form"' not in html


def test_unknown_versions_and_formats_are_not_found(client, db, admins):
    login(client, "paa@example.fi")
    for path in (
        "criteria/v9.xlsx",
        "nosuch/v1.yaml",
        "criteria/v2.pdf",
        "criteria/v99999999999.xlsx",
    ):
        assert client.get(f"/admin/questionnaires/{path}").status_code == 404
