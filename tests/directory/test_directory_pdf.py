"""The directory's PDF download: login-only, grouped by region, then field, then unit
name with each unit's latest submitted profile, a contents page that gives each entry's
page, and a regional admin's region only."""

from tests.helpers import create, login, pdf_text


def test_the_directory_pdf(client, runner, directory_dataset):
    assert client.get("/admin/directory.pdf").status_code == 302
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    response = client.get("/admin/directory.pdf?lang=en")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="kehy-kooste-20')
    assert disposition.endswith('.pdf"')
    text = pdf_text(response)
    contents, body = text.split(" 1 / ", 1)  # the first page's number ends the contents
    assert contents.startswith("KEHY directory Compiled ")
    # Grouped by region, then field, then unit name, each with its latest submitted profile.
    # Regions and fields are named in the page's language.
    outline = [
        "Eastern Finland",
        "Adult services",
        "Delta-yksikkö",
        "Child protection",
        "Alfa-yksikkö",
        "Bravo-yksikkö",
        "Golf-yksikkö",
        "Lapland",
        "Disability services",
        "Charlie-yksikkö",
    ]
    positions = [body.index(name) for name in outline]
    assert positions == sorted(positions)
    assert "Uusi toiminta-ajatus" in body and "Vanha toiminta-ajatus" not in body
    assert "Alfan lähetetty" in body and "Alfan luonnos" not in body and "Echo" not in text
    # The contents give each entry's page.
    assert "Charlie-yksikkö . . ." in contents and contents.rstrip("•◦▪ ").endswith(" 3")


def test_a_regional_admins_directory_pdf(client, runner, directory_dataset):
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    login(client, "lappi@example.fi")
    text = pdf_text(client.get("/admin/directory.pdf?lang=en"))
    assert "Charlie-yksikkö" in text and "Bravo-yksikkö" not in text
