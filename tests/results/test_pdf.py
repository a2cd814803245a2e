"""The PDF downloads of the report and the directory: drawn from the same page, with the
same region-scoped numbers, and a renderer that reads nothing but our own static files."""

import io
import sys

import pytest
from pypdf import PdfReader

from survey_app.pdf.render import StaticFilesOnly
from tests.admin.test_accounts import create, login
from tests.directory.test_directory import dataset as directory_dataset  # noqa: F401
from tests.results.test_report import dataset  # noqa: F401


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_report_pdf_has_the_pages_numbers(client, dataset):  # noqa: F811
    assert client.get("/admin/rounds/kevat/report.pdf").status_code == 302  # to the login
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/kevat/report.pdf?lang=en")
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="kevat-report.pdf"'
    text = pdf_text(response)
    assert "(13 development units answered this survey)" in text
    assert "69 % of respondents" in text  # 9 yes of 13, worked out by hand
    assert "Change: −6 pp" in text
    assert "Preliminary" in text
    # The page's links and navigation stay out of the PDF.
    assert "Back to the round" not in text and "Download" not in text


def test_a_regional_admins_report_pdf(client, dataset):  # noqa: F811
    login(client, "lappi@example.fi")
    text = pdf_text(client.get("/admin/rounds/kevat/report.pdf?lang=en"))
    assert "(2 development units answered this survey)" in text
    assert "Itä-Suomi" not in text


def test_an_unknown_rounds_pdf_is_404(client, dataset):  # noqa: F811
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/nope/report.pdf").status_code == 404


def test_the_directory_pdf(client, runner, directory_dataset):  # noqa: F811
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
    outline = [
        "Itä-Suomi",
        "Aikuissosiaalityö",
        "Delta-yksikkö",
        "Lastensuojelu",
        "Alfa-yksikkö",
        "Bravo-yksikkö",
        "Golf-yksikkö",
        "Lappi",
        "Vammaispalvelut",
        "Charlie-yksikkö",
    ]
    positions = [body.index(name) for name in outline]
    assert positions == sorted(positions)
    assert "Uusi toiminta-ajatus" in body and "Vanha toiminta-ajatus" not in body
    assert "Alfan lähetetty" in body and "Alfan luonnos" not in body and "Echo" not in text
    # The contents give each entry's page.
    assert "Charlie-yksikkö . . ." in contents and contents.rstrip("•◦▪ ").endswith(" 4")


def test_a_regional_admins_directory_pdf(client, runner, directory_dataset):  # noqa: F811
    create(runner, "lappi@example.fi", "--role", "regional", "--region", "Lappi")
    login(client, "lappi@example.fi")
    text = pdf_text(client.get("/admin/directory.pdf?lang=en"))
    assert "Charlie-yksikkö" in text and "Bravo-yksikkö" not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://pdf.invalid/admin/rounds",
        "https://pdf.invalid/static/../config.py",
        "file:///etc/passwd",
    ],
)
def test_the_renderer_fetches_nothing_but_static_files(app, url):
    fetcher = StaticFilesOnly(app.static_folder, app.static_url_path)
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_the_renderer_reads_the_stylesheet(app):
    fetcher = StaticFilesOnly(app.static_folder, app.static_url_path)
    response = fetcher.fetch("https://pdf.invalid/static/style.css")
    assert response.content_type == "text/css"
    assert b"@media print" in response.read()


def test_without_the_pdf_library_the_download_is_503_with_a_message(
    client,
    dataset,  # noqa: F811
    monkeypatch,
):
    """A machine without Pango still serves every page; only the PDF is refused."""
    monkeypatch.setitem(sys.modules, "survey_app.pdf.render", None)  # "cannot be imported"
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/kevat/report.pdf?lang=en")
    assert response.status_code == 503
    assert "Print the page instead" in response.get_data(as_text=True)
    assert client.get("/admin/rounds/kevat/report?lang=en").status_code == 200
