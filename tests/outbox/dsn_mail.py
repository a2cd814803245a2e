"""Mail a real mail system sends back: delivery status notifications (RFC 3464) the
way Postfix's bounce daemon writes them, an auto-reply, and the maildir and mbox files
they land in. Built with Python's email package, for the bounce tests."""

import email
import mailbox
import re
from datetime import UTC, datetime
from email.message import Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

SENDER = "kartoitus@kehy.example.fi"
MTA = "mx1.kehy.example.fi"


USER_UNKNOWN = (
    "smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"
)


def dsn(
    original: bytes | None,
    recipient: str,
    *,
    action="failed",
    status="5.1.1",
    diagnostic=USER_UNKNOWN,
    full_original=False,
    in_reply_to=None,
) -> bytes:
    """A multipart/report the way Postfix's bounce daemon writes one: a human part, the
    per-message and per-recipient fields, then the original's headers (or all of it)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["Date"] = format_datetime(datetime(2030, 3, 2, 8, 15, tzinfo=UTC))
    report["From"] = f"MAILER-DAEMON@{MTA} (Mail Delivery System)"
    report["To"] = SENDER
    report["Subject"] = (
        "Delayed Mail (still being retried)"
        if action == "delayed"
        else "Undelivered Mail Returned to Sender"
    )
    report["Auto-Submitted"] = "auto-replied"
    report["Message-ID"] = make_msgid(domain=MTA)
    if in_reply_to:
        report["In-Reply-To"] = in_reply_to
    report.attach(
        MIMEText(
            f"This is the mail system at host {MTA}.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients. It's attached below.\n\n"
            f"<{recipient}>: host mx.example.fi[192.0.2.25] said: 550 5.1.1\n"
            "    User unknown (in reply to RCPT TO command)\n",
            "plain",
        )
    )
    per_message = Message()
    per_message["Reporting-MTA"] = f"dns; {MTA}"
    per_message["X-Postfix-Queue-ID"] = "4F2A31C0B2"
    per_message["X-Postfix-Sender"] = f"rfc822; {SENDER}"
    per_message["Arrival-Date"] = "Sat,  2 Mar 2030 10:14:58 +0200 (EET)"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Remote-MTA"] = "dns; mx.example.fi"
    per_recipient["Diagnostic-Code"] = diagnostic.format(rcpt=recipient)
    delivery_status = Message()
    delivery_status.set_type("message/delivery-status")
    delivery_status.set_payload([per_message, per_recipient])
    report.attach(delivery_status)
    if original is not None:
        if full_original:
            report.attach(MIMEMessage(email.message_from_bytes(original)))
        else:
            report.attach(MIMEText(headers_of(original).decode("ascii"), "rfc822-headers"))
    return report.as_bytes()


def headers_of(raw: bytes) -> bytes:
    return re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0] + b"\n"


def out_of_office(replying_to: str) -> bytes:
    """An auto-reply that names our message in In-Reply-To: not a bounce."""
    reply = MIMEText("Olen lomalla 10.3. asti.\n", "plain", "utf-8")
    reply["From"] = "unit2@example.fi"
    reply["To"] = SENDER
    reply["Subject"] = "Automaattinen vastaus: Kartoitus"
    reply["Auto-Submitted"] = "auto-replied"
    reply["In-Reply-To"] = replying_to
    reply["Message-ID"] = make_msgid(domain="example.fi")
    return reply.as_bytes()


def write_maildir(path, messages: list[bytes]):
    box = mailbox.Maildir(path, create=True)
    for number, raw in enumerate(messages):
        message = mailbox.MaildirMessage(raw)
        message.set_subdir("cur" if number % 2 else "new")  # a client read some
        box.add(message)
    box.close()
    return path


def write_mbox(path, messages: list[bytes]):
    box = mailbox.mbox(path, create=True)
    for raw in messages:
        box.add(raw)
    box.close()
    return path
