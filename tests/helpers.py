"""Helpers the tests share; fixtures live in conftest.py files.

make_app builds the app for a test database; PASSWORD, create and login make and log in
an admin; CSRF_RE finds the CSRF token on any page (the admin pages' and the respondent
form's) and form_fields the hidden fields the respondent form sends back; invoke runs a
command that must succeed and ended_cleanly checks one run on bad input; mail_settings
point the app at an SMTP sink; pdf_text reads a PDF download.
"""

import io
import re

from pypdf import PdfReader

from survey_app import create_app


def make_app(database_url: str, **overrides):
    return create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": "http://localhost",
            **overrides,
        }
    )


def mail_settings(smtp) -> dict:
    """The app's settings to mail through `smtp` (a tests.smtp_sink.SmtpSink), retrying fast."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_DEFAULT_SENDER": "kartoitus@kehy.example.fi",
        "OUTBOX_BACKOFF_SECONDS": 0.01,
        "OUTBOX_BACKOFF_MAX_SECONDS": 0.05,
    }


# --- admins ------------------------------------------------------------------------------

PASSWORD = "oikein-pitka-salasana"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def create(runner, email, *options, password=PASSWORD, code=0):
    result = runner.invoke(
        args=["admins", "create", email, *options, "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code == code, result.output
    return result.output


def login(client, email, password=PASSWORD):
    page = client.get("/admin/login").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    return client.post(
        "/admin/login", data={"csrf_token": csrf, "email": email, "password": password}
    )


# --- the respondent form -----------------------------------------------------------------

VERSION_RE = re.compile(r'name="version" value="([^"]*)"')
KEY_RE = re.compile(r'name="submission_key" value="([^"]*)"')


def form_fields(html: str) -> dict:
    """The hidden fields a browser would send back with the respondent form."""
    fields = {"csrf_token": CSRF_RE.search(html).group(1)}
    version = VERSION_RE.search(html)
    if version:
        fields["version"] = version.group(1)
    key = KEY_RE.search(html)
    if key:
        fields["submission_key"] = key.group(1)
    return fields


# --- commands and downloads --------------------------------------------------------------


def ended_cleanly(result) -> None:
    """A command that ran on bad input: done (0) or refused with a message (1), never a
    crash or a traceback."""
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def invoke(runner, *args, code=0):
    """Run a `flask` command (arguments as text) and return its output; it must exit with `code`."""
    result = runner.invoke(args=[str(arg) for arg in args])
    assert result.exit_code == code, result.output
    return result.output


def pdf_text(response) -> str:
    """The text of a PDF download (a 200, never cached), whitespace collapsed."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
