"""The report's PDF download: drawn from the same page, with the same region-scoped
numbers; the renderer reads nothing but our own static files; without the PDF library
the download is refused and the pages still work."""

import sys

import pytest

from survey_app.pdf.render import StaticFilesOnly
from tests.helpers import login, pdf_text


def test_the_report_pdf_has_the_pages_numbers(client, report_dataset):
    assert client.get("/admin/rounds/kevat/report.pdf").status_code == 302  # to the login
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/kevat/report.pdf?lang=en")
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="kevat-report.pdf"'
    text = pdf_text(response)
    assert "(13 development units answered this survey)" in text
    assert "69% of respondents" in text  # 9 yes of 13, worked out by hand
    assert "Change: −6 pp" in text
    assert "Preliminary" in text
    # The page's links and navigation stay out of the PDF.
    assert "Back to the round" not in text and "Download" not in text


def test_a_regional_admins_report_pdf(client, report_dataset):
    login(client, "lappi@example.fi")
    text = pdf_text(client.get("/admin/rounds/kevat/report.pdf?lang=en"))
    assert "(2 development units answered this survey)" in text
    assert "Itä-Suomi" not in text


def test_an_unknown_rounds_pdf_is_404(client, report_dataset):
    login(client, "paa@example.fi")
    assert client.get("/admin/rounds/nope/report.pdf").status_code == 404


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
    report_dataset,
    monkeypatch,
):
    """A machine without Pango still serves every page; only the PDF is refused."""
    monkeypatch.setitem(sys.modules, "survey_app.pdf.render", None)  # "cannot be imported"
    login(client, "paa@example.fi")
    response = client.get("/admin/rounds/kevat/report.pdf?lang=en")
    assert response.status_code == 503
    assert "Print the page instead" in response.get_data(as_text=True)
    assert client.get("/admin/rounds/kevat/report?lang=en").status_code == 200
