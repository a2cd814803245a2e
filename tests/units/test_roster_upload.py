"""Uploading a roster in the browser: a preview (new, changed with old → new, unchanged,
left out, errors by row) for CSV and XLSX; nothing written before the admin confirms;
the confirmation writes and audits, and refuses a stale or foreign preview; bad files
get a clear 4xx; a regional admin's file stays within its region."""

import io
import random
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.models import AuditEntry, Unit
from survey_app.models.types import utcnow
from survey_app.questionnaires.classification import classification
from tests.factories import make_unit
from tests.helpers import CSRF_RE, create, login
from tests.units.helpers import HEADER, TOKEN_RE, confirm, upload

E1 = "E1,Itäinen,Lastensuojelu,active,Itä-Suomi,Kuopio,Eeva,e1@kehy.fi,fi"
E2 = "E2,Toinen itäinen,Vanhusten palvelut,preparing,Itä-Suomi,Joensuu,Eero,e2@kehy.fi,sv"
E3 = "E3,Lakkautettu,Lastensuojelu,active,Itä-Suomi,Kuopio,Essi,e3@kehy.fi,fi"
L1 = "L1,Lapin salainen,Lastensuojelu,active,Lappi,Rovaniemi,Lauri,l1@lappi.fi,fi"
N1 = "N1,Uusi yksikkö,Päihdepalvelut,varsinainen,Itä-Suomi,Kuopio,Niina, Niina@KEHY.fi ,en"


def as_unit(line):
    values = dict(zip(HEADER.split(","), line.split(","), strict=True))
    return make_unit(**{k: v.strip() for k, v in values.items()})


@pytest.fixture
def roster(runner, db):
    for line in (E1, E2, E3, L1):
        as_unit(line)
    db.session.scalar(select(Unit).filter_by(code="E3")).deactivated_at = utcnow()
    db.session.commit()
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    create(runner, "paa@example.fi", "--role", "national")


def csv_file(*lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def xlsx_file(*lines):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for line in lines:
        sheet.append([cell or None for cell in line.split(",")] if line else [None] * 9)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot(db):
    db.session.expire_all()
    return {
        unit.code: (unit.name, unit.contact_email, unit.region, unit.deactivated_at is None)
        for unit in db.session.scalars(select(Unit))
    }


def entries(db):
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def section(html, element_id):
    """The text of the element with this id, up to its closing tag of the same name."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"', html)
    assert match, element_id
    end = html.index(f"</{match.group(1)}>", match.end())
    return html[match.start() : end]


CHANGED_FILE = (E1.replace("e1@kehy.fi", "uusi@kehy.fi"), E2, E3, N1, L1.replace("Lauri", "Leo"))


# --- the preview ------------------------------------------------------------------------


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_the_preview_shows_every_change_and_writes_nothing(client, db, roster, make_file):
    login(client, "paa@example.fi")
    before = snapshot(db)
    name = "roster.csv" if make_file is csv_file else "roster.xlsx"
    preview = upload(client, make_file(*CHANGED_FILE), name)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    new = section(html, "preview-new")
    assert "N1" in new and "Niina@kehy.fi" in new and "E1" not in new
    changed = section(html, "preview-changed")
    assert re.search(
        r"contact_email</span>: <del>e1@kehy.fi</del> → <ins>uusi@kehy.fi</ins>", changed
    )
    assert re.search(r"contact_name</span>: <del>Lauri</del> → <ins>Leo</ins>", changed)
    assert "E3" in changed  # listed again: reactivated
    assert "E2" not in changed and "E2" not in new
    assert ">1 " in section(html, "preview-unchanged")
    assert "preview-errors" not in html and "preview-left-out" not in html
    assert 'id="confirm-form"' in html
    assert snapshot(db) == before and entries(db) == []


def test_units_left_out_are_listed_and_left_as_they_are(client, db, roster):
    login(client, "paa@example.fi")
    preview = upload(client, csv_file(E1, N1))
    left_out = section(preview.get_data(as_text=True), "preview-left-out")
    assert "E2" in left_out and "L1" in left_out
    assert "E3" not in left_out  # deactivated already
    assert confirm(client, preview).status_code == 303
    after = snapshot(db)
    assert after["E2"][3] and after["L1"][3]  # still active, as the command line leaves them
    assert not after["E3"][3]


def test_errors_are_listed_by_row_and_nothing_can_be_confirmed(client, db, roster):
    login(client, "paa@example.fi")
    client.get("/admin/units?lang=en")
    before = snapshot(db)
    rows = (
        E1,
        "X1,Nimi,Lastensuojelu,aktiivinen,Lappi,,,ok@kehy.fi,fi",  # row 3
        N1,
        "X2,,Lastensuojelu,active,Lappi,,,bad@@kehy.fi,fi",  # row 5: two problems
        E1.replace("Itäinen", "Toinen"),  # row 6: repeated code
    )
    for make_file, name in ((csv_file, "bad.csv"), (xlsx_file, "bad.xlsx")):
        preview = upload(client, make_file(*rows), name)
        assert preview.status_code == 422
        html = preview.get_data(as_text=True)
        errors = section(html, "preview-errors")
        found = dict(re.findall(r'<th scope="row">(\d+)</th><td>([^<]*)</td>', errors))
        assert sorted(found, key=int) == ["3", "5", "6"]
        assert "unknown status" in found["3"]
        assert "code E1 is repeated (first on row 2)" in found["6"]
        rows_5 = re.findall(r'<th scope="row">5</th><td>([^<]*)</td>', errors)
        assert any("name is empty" in text for text in rows_5)
        assert any("bad@@kehy.fi" in text for text in rows_5)
        assert 'id="confirm-form"' not in html and 'name="preview"' not in html
    assert snapshot(db) == before


def test_an_unchanged_file_offers_nothing_to_confirm(client, db, roster):
    login(client, "paa@example.fi")
    preview = upload(client, csv_file(E1, E2, L1))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'id="nothing-to-import"' in html and 'id="confirm-form"' not in html


# --- confirming ---------------------------------------------------------------------------


def test_confirm_writes_the_preview_and_audits_each_unit(client, db, roster):
    login(client, "paa@example.fi")
    preview = upload(client, csv_file(*CHANGED_FILE), "kevät.csv")
    done = confirm(client, preview)
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/units")
    after = snapshot(db)
    assert after["E1"][1] == "uusi@kehy.fi"
    assert after["N1"] == ("Uusi yksikkö", "Niina@kehy.fi", "Itä-Suomi", True)
    assert after["E3"][3]  # reactivated
    new = db.session.scalar(select(Unit).filter_by(code="N1"))
    assert (new.status, new.language) == ("active", "en")
    audited = [(e.action, e.target, e.region, e.before, e.after) for e in entries(db)]
    assert ("import: add unit", "unit N1", "Itä-Suomi", None) == audited[0][:4]
    assert audited[0][4]["contact_email"] == "Niina@kehy.fi"
    assert (
        "import: edit unit",
        "unit E1",
        "Itä-Suomi",
        {"contact_email": "e1@kehy.fi"},
        {"contact_email": "uusi@kehy.fi"},
    ) in audited
    assert (
        "import: edit unit",
        "unit E3",
        "Itä-Suomi",
        {"deactivated": True},
        {"deactivated": False},
    ) in audited
    assert (
        "import: edit unit",
        "unit L1",
        "Lappi",
        {"contact_name": "Lauri"},
        {"contact_name": "Leo"},
    ) in audited
    assert audited[-1] == (
        "import roster",
        "file kevät.csv",
        None,
        None,
        {"new": 1, "changed": 3, "unchanged": 1},
    )
    assert "kevät.csv" in client.get("/admin/units").get_data(as_text=True)
    # the preview is used up: confirming it again is stale (the roster changed)
    again = confirm(client, preview)
    assert again.status_code == 409
    assert len(entries(db)) == len(audited)


def test_a_preview_made_stale_by_a_change_is_refused_and_shown_again(client, db, roster):
    login(client, "paa@example.fi")
    preview = upload(client, csv_file(*CHANGED_FILE))
    db.session.scalar(select(Unit).filter_by(code="E1")).contact_email = "toinen@kehy.fi"
    db.session.commit()
    refused = confirm(client, preview)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'id="stale"' in html
    assert "<del>toinen@kehy.fi</del>" in section(html, "preview-changed")
    assert snapshot(db)["E1"][1] == "toinen@kehy.fi" and "N1" not in snapshot(db)
    assert entries(db) == []
    assert confirm(client, refused).status_code == 303  # the new preview can be confirmed
    assert snapshot(db)["E1"][1] == "uusi@kehy.fi"


def test_a_tampered_expired_or_foreign_preview_is_refused(app, client, db, roster):
    login(client, "paa@example.fi")
    preview = upload(client, csv_file(N1))
    html = preview.get_data(as_text=True)
    csrf, token = CSRF_RE.search(html).group(1), TOKEN_RE.search(html)[1]

    def post(value, who=client, csrf=csrf):
        return who.post("/admin/units/upload/confirm", data={"csrf_token": csrf, "preview": value})

    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert post(tampered).status_code == 400
    assert post("").status_code == 400

    class Earlier(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 2 * 3600

    payload = URLSafeTimedSerializer(app.secret_key, salt="roster-upload-preview").loads(token)
    old = URLSafeTimedSerializer(app.secret_key, salt="roster-upload-preview", signer=Earlier)
    old = old.dumps(payload)
    expired = post(old)
    assert expired.status_code == 400 and 'id="upload-errors"' in expired.get_data(as_text=True)

    other = app.test_client()
    login(other, "ita@example.fi")
    other_csrf = CSRF_RE.search(other.get("/admin/units/upload").get_data(as_text=True)).group(1)
    assert post(token, who=other, csrf=other_csrf).status_code == 400
    assert "N1" not in snapshot(db) and entries(db) == []
    assert post(token).status_code == 303  # the real one still works
    assert "N1" in snapshot(db)


def test_upload_and_confirm_need_the_csrf_token(client, db, roster):
    login(client, "paa@example.fi")
    assert upload(client, csv_file(N1), csrf=False).status_code == 400
    preview = upload(client, csv_file(N1))
    token = TOKEN_RE.search(preview.get_data(as_text=True))[1]
    refused = client.post("/admin/units/upload/confirm", data={"preview": token})
    assert refused.status_code == 400
    assert "N1" not in snapshot(db)


# --- a regional admin ---------------------------------------------------------------------


def test_a_regional_admins_file_may_hold_only_its_region(client, db, roster):
    login(client, "ita@example.fi")
    before = snapshot(db)
    foreign = upload(client, csv_file(E1, L1.replace("Lauri", "Leo")))
    assert foreign.status_code == 422
    errors = section(foreign.get_data(as_text=True), "preview-errors")
    assert re.search(r'<th scope="row">3</th><td>[^<]*Lappi', errors)
    assert 'id="confirm-form"' not in foreign.get_data(as_text=True)
    # another region's code, claimed for this region: refused, its data not shown
    claimed = upload(client, csv_file(L1.replace("Lappi", "Itä-Suomi")))
    html = claimed.get_data(as_text=True)
    assert claimed.status_code == 422
    assert re.search(r'<th scope="row">2</th><td>[^<]*L1', section(html, "preview-errors"))
    assert "Lapin salainen" not in html and "l1@lappi.fi" not in html
    assert snapshot(db) == before and entries(db) == []


def test_a_regional_admin_imports_its_region_and_never_touches_another(client, db, roster):
    login(client, "ita@example.fi")
    preview = upload(client, csv_file(E1.replace("Eeva", "Elli"), N1))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Lapin salainen" not in html and "L1" not in section(html, "preview-left-out")
    assert "E2" in section(html, "preview-left-out")
    assert confirm(client, preview).status_code == 303
    after = snapshot(db)
    assert after["L1"] == ("Lapin salainen", "l1@lappi.fi", "Lappi", True)
    assert after["E2"][3] and "N1" in after
    regions = {e.region for e in entries(db)}
    assert regions == {"Itä-Suomi"}
    summary = entries(db)[-1]
    assert (summary.action, summary.region) == ("import roster", "Itä-Suomi")


# --- bad files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("roster.pdf", b"%PDF-1.4 not a roster", 415),
        ("roster.xls", b"\xd0\xcf\x11\xe0 old excel", 415),
        ("roster.csv", csv_file(E1, N1).decode().encode("latin-1"), 400),
        ("roster.csv", "\n".join([HEADER, N1]).encode("utf-16"), 400),
        ("roster.csv", b"", 400),
        ("roster.csv", b"\xef\xbb\xbf\r\n", 400),
        ("roster.csv", (HEADER + "\n").encode(), 400),
        ("roster.csv", b"code,name\nX,Y\n", 400),
        ("roster.csv", (HEADER + ",phone\n" + N1 + ",1\n").encode(), 400),
        ("roster.xlsx", b"PK\x03\x04 garbage that is no zip", 400),
        ("roster.xlsx", csv_file(N1), 400),
        ("roster.xlsx", b"", 400),
        ("roster.csv", csv_file(N1) + b"x" * (1024 * 1024), 413),
        ("roster.csv", b"x" * (3 * 1024 * 1024), 413),
    ],
)
def test_a_bad_file_gets_a_clear_4xx_and_writes_nothing(client, db, roster, name, data, status):
    login(client, "paa@example.fi")
    before = snapshot(db)
    refused = upload(client, data, name)
    assert refused.status_code == status
    html = refused.get_data(as_text=True)
    assert 'id="upload-errors"' in html, html
    assert 'enctype="multipart/form-data"' in html  # the form, to try again
    assert snapshot(db) == before and entries(db) == []


def test_a_bad_file_is_explained(client, db, roster):
    login(client, "paa@example.fi")
    client.get("/admin/units?lang=en")
    missing = upload(client, b"code,name\nX,Y\n").get_data(as_text=True)
    assert "Missing column(s): field, status, region, contact_email" in missing
    assert "code,name,field,status,region" in missing
    latin = upload(client, csv_file(N1).decode().encode("latin-1")).get_data(as_text=True)
    assert "not UTF-8" in latin
    assert "at most 1024 kB" in upload(client, b"x" * (3 * 1024 * 1024)).get_data(as_text=True)


def test_no_file_chosen_is_422(client, db, roster):
    login(client, "paa@example.fi")
    html = client.get("/admin/units/upload").get_data(as_text=True)
    refused = client.post(
        "/admin/units/upload",
        data={"csrf_token": CSRF_RE.search(html).group(1)},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert 'id="roster-error"' in refused.get_data(as_text=True)


def test_a_large_roster_round_trips_through_the_signed_preview(client, db, roster):
    login(client, "paa@example.fi")
    regions = [name for name, _sv in classification().choices("region", "sv")]
    lines = [
        f'B{n:04d},Yksikkö numero {n},Lastensuojelu,active,"{regions[n % 12]}",Kunta {n % 300},'
        f"Yhteyshenkilö {n},yhteys{n}@kunta{n % 300}.fi,fi"
        for n in range(3000)
    ]
    preview = upload(client, csv_file(*lines))
    assert preview.status_code == 200
    token = TOKEN_RE.search(preview.get_data(as_text=True))[1]
    assert len(token) < 400_000
    assert confirm(client, preview).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 4 + 3000


def test_a_file_too_big_to_carry_to_the_confirmation_is_refused_up_front(client, db, roster):
    login(client, "paa@example.fi")
    letters = "abcdefghijklmnopqrstuvwxyzåäö"
    rng = random.Random(5)
    lines = [
        f"R{n:04d},{''.join(rng.choices(letters, k=280))},Lastensuojelu,active,Lappi,,,"
        f"r{n}@kehy.fi,fi"
        for n in range(2500)
    ]
    data = csv_file(*lines)
    assert len(data) < 1024 * 1024
    refused = upload(client, data)
    assert refused.status_code == 413
    assert 'id="upload-errors"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 4


def test_another_regions_code_is_refused_in_the_same_words_as_on_the_new_unit_page(
    client, db, roster
):
    login(client, "ita@example.fi")
    client.get("/admin/units?lang=en")
    claimed = upload(client, csv_file(L1.replace("Lappi", "Itä-Suomi")))
    assert claimed.status_code == 422
    errors = section(claimed.get_data(as_text=True), "preview-errors")
    (text,) = re.findall(r'<th scope="row">2</th><td>([^<]*)</td>', errors)
    assert text == "The code L1 cannot be used."
    assert "Lappi" not in errors and "another region" not in errors


def test_an_upload_with_an_unsafe_code_names_its_row_and_saves_nothing(client, db, roster):
    login(client, "paa@example.fi")
    rows = [HEADER, "x/../E2,Ohjattu,Lastensuojelu,active,Itä-Suomi,Kuopio,X,x@kehy.fi,fi"]
    preview = upload(client, "\n".join(rows).encode())
    assert preview.status_code == 422
    html = preview.get_data(as_text=True)
    assert "x/../E2" in html and "enintään 32 merkkiä" in html
    assert 'name="preview"' not in html  # nothing to confirm


def test_the_preview_shows_statuses_fields_and_regions_in_the_pages_language(client, db, roster):
    login(client, "paa@example.fi")
    client.get("/admin/units?lang=sv")
    new_unit = "N2,Ny enhet,Lastensuojelu,preparing,Lappi,Kemi,Nils,n2@kehy.fi,sv"
    changed = E1.replace(",active,", ",preparing,")
    html = re.sub(r"\s+", " ", upload(client, csv_file(changed, E2, new_unit)).text)
    new_row = html.split('id="preview-new"')[1].split("</table>")[0]
    assert "förberedande" in new_row and "Barnskydd" in new_row
    assert "preparing" not in new_row and "Lastensuojelu" not in new_row
    change = html.split('id="preview-changed"')[1].split("</table>")[0]
    assert "<del>ordinarie</del> → <ins>förberedande</ins>" in change
