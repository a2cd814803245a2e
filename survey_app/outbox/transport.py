"""Handing messages to a mail server (SMTP via Flask-Mail) or, with no server
configured, to `.eml` files under `instance/mail/` so that local use loses nothing."""

import hashlib
import re
import secrets
import smtplib
import ssl
from email import policy
from email.generator import BytesGenerator
from email.header import Header
from functools import cache
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy.engine import make_url

from . import handing_over
from .handing_over import SERVICE_NOT_AVAILABLE

SMTP_TIMEOUT_SECONDS = 30


class DeliveryError(Exception):
    """The server did not take the message.

    `server_level`: the server, not this message, is the trouble (it cannot be reached,
    refuses the login or the sender, answers 421, or drops the connection before
    answering for the message): no message is charged, the worker waits as a whole.
    Otherwise the server refused this message: `permanent` (5xx) fails it at once, a
    4xx counts one attempt and is retried later."""

    def __init__(self, reason: str, *, permanent: bool, server_level: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.server_level = server_level


class _Headers(policy.Compat32):
    """compat32 with CRLF line ends, writing a short one-line ASCII header as it is:
    compat32 gives it back unchanged, after running it through `Header`, which was
    half the time of writing a message out."""

    def fold_binary(self, name, value):
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()  # no line break, nor what `Header` splits lines at
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


CRLF = _Headers(linesep="\r\n")


class _Generator(BytesGenerator):
    """A part boundary of 128 random bits, which no text can hold but by chance: the
    standard generator searched each message for its boundary with a new regular
    expression (a fifth of the time of writing it out). Short enough (24 characters)
    that its Content-Type header fits one line and is written as it is."""

    @classmethod
    def _make_boundary(cls, text=None):
        return "=_" + secrets.token_urlsafe(16)


class Email(Message):
    """Flask-Mail's message, written out by the standard library's compat32 generator
    with CRLF line ends: what the server receives is the same message, made eight times
    faster than under the SMTP policy's header refolding (1.8 ms -> 0.2 ms a message,
    the largest cost of sending)."""

    def as_bytes(self) -> bytes:
        """Written once: the worker writes the next message out while the server files
        the one before (`worker.Worker._send_one`)."""
        written = getattr(self, "_written", None)
        if written is None:
            written = self._written = self._write()
        return written

    def _write(self) -> bytes:
        message = self._message()
        message.policy = CRLF
        if self.subject:  # folded knowing its header's name, or its first line starts empty
            del message["Subject"]
            message["Subject"] = Header(self.subject, "utf-8", header_name="Subject")
        written = BytesIO()
        _Generator(written, mangle_from_=False, policy=CRLF).flatten(message, unixfrom=False)
        return written.getvalue()


@cache
def _tls_context() -> ssl.SSLContext:
    """Verified TLS (the messages carry personal links and the login a password); made
    once per process, when TLS is used: loading the system's certificates is slow."""
    return ssl.create_default_context()


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout: a hung server must not hang the worker."""

    def configure_host(self):
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(
                self.mail.server,
                self.mail.port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=_tls_context(),
            )
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=SMTP_TIMEOUT_SECONDS)
        if self.mail.use_tls:
            host.starttls(context=_tls_context())
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class SmtpTransport:
    """One SMTP connection for a whole batch. Each message is handed over
    (`hand_over`), then the server's verdict is read (`verdict`): the worker prepares
    the next message in between. `FileTransport` offers the same two steps."""

    def __init__(self):
        self.connection: TimedConnection | None = None

    def __enter__(self):
        self.connection = TimedConnection(current_app.extensions["mail"])
        try:
            self.connection.__enter__()
        except (OSError, smtplib.SMTPException) as error:
            reason = _classify(error).reason
            raise DeliveryError(reason, permanent=False, server_level=True) from error
        return self

    def __exit__(self, *exc_info):
        host = self.connection.host if self.connection else None
        if host is not None:
            try:
                host.quit()
            except (OSError, smtplib.SMTPException):
                host.close()

    def hand_over(self, message: Message) -> None:
        """The message up to its final dot; `verdict` reads the server's answer."""
        try:
            handing_over.hand_over(self.connection.host, message)
        except (OSError, smtplib.SMTPException) as error:
            raise _classify(error) from error

    def verdict(self) -> None:
        try:
            handing_over.verdict(self.connection.host)
        except (OSError, smtplib.SMTPException) as error:
            raise _classify(error) from error


class FileTransport:
    """Writes each message as an .eml file: local use without a mail server."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info):
        return None

    def hand_over(self, message: Message) -> None:
        if message.has_bad_headers():
            raise DeliveryError("a header would contain a line break", permanent=True)
        name = eml_name(message.msgId)
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(message.as_bytes())
        partial.replace(self.folder / name)

    def verdict(self) -> None:
        """Written already: nothing to wait for."""


def eml_name(message_id: str) -> str:
    """The file a message is written to, named after its Message-ID."""
    name = message_id.strip("<>").replace("@", "_at_").replace("/", "_").replace("\\", "_")
    return f"{name}.eml"


def captured_mail_dir() -> Path | None:
    """Where messages are written in local use; None when a mail server is set. By
    default a folder per database under instance/mail, so that the demo's messages and
    another database's never mix (nor share a file name)."""
    if current_app.config.get("MAIL_SERVER"):
        return None
    if current_app.config.get("MAIL_FILE_DIR"):
        return Path(current_app.config["MAIL_FILE_DIR"])
    return (
        Path(current_app.instance_path)
        / "mail"
        / database_folder_name(current_app.config["SQLALCHEMY_DATABASE_URI"])
    )


def database_folder_name(uri: str) -> str:
    """A folder name for a database, readable and unique: "sqlite-survey_app-3f9a1c",
    "postgresql-survey-b70e22" (the digest tells apart two files of one name in other
    folders, or one database name on two servers)."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        name = Path(url.database).stem if url.database else "memory"
    else:
        name = url.database or "default"
    where = url.set(password=None).render_as_string(hide_password=False)
    digest = hashlib.sha256(where.encode()).hexdigest()[:6]
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{url.get_backend_name()}-{name}-{digest}")


def open_transport():
    folder = captured_mail_dir()
    if folder is None:
        return SmtpTransport()
    return FileTransport(folder)


def _classify(error: BaseException) -> DeliveryError:
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPNotSupportedError):
        # The sender address or a server feature: every message would meet the same.
        return DeliveryError(_reason(error), permanent=False, server_level=True)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        reason = "; ".join(f"{code} {_decode(text)}" for code, text in answers)
        if all(code == SERVICE_NOT_AVAILABLE for code, _text in answers):
            return DeliveryError(reason, permanent=False, server_level=True)
        permanent = all(500 <= code < 600 for code, _text in answers)
        return DeliveryError(reason, permanent=permanent)
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_decode(error.smtp_error)}"
        if error.smtp_code == SERVICE_NOT_AVAILABLE:
            return DeliveryError(reason, permanent=False, server_level=True)
        return DeliveryError(reason, permanent=500 <= error.smtp_code < 600)
    # The connection dropped (or never answered) before the server said anything about
    # the message: the server's trouble. Had it taken the message just before the drop,
    # the message goes again, with the same Message-ID (README: the duplicate window).
    return DeliveryError(f"{type(error).__name__}: {error}", permanent=False, server_level=True)


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_decode(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _decode(text) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
