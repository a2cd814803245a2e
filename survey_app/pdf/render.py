"""HTML to PDF with WeasyPrint, which may read only our own static files: a page never
makes the server fetch a URL."""

import mimetypes
from urllib.parse import urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

# Relative links in the page resolve against this; it is never contacted.
BASE_URL = "https://pdf.invalid/"


class StaticFilesOnly(URLFetcher):
    """Serves /static/... from the app's static folder and refuses everything else."""

    def __init__(self, static_folder: str, static_url_path: str):
        super().__init__(allowed_protocols=())
        self.static_folder = static_folder
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.netloc != urlsplit(BASE_URL).netloc or not parts.path.startswith(self.prefix):
            raise ValueError(f"not fetched for a PDF: {url}")
        path = safe_join(self.static_folder, parts.path.removeprefix(self.prefix))
        if path is None:
            raise ValueError(f"outside the static folder: {url}")
        with open(path, "rb") as file:
            body = file.read()
        mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})


def html_to_pdf(html: str) -> bytes:
    app = current_app
    fetcher = StaticFilesOnly(app.static_folder, app.static_url_path)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
