"""One message's SMTP conversation in two steps, so that the worker prepares the next
message while the server files this one: `hand_over` sends it up to its final dot,
`verdict` reads the server's answer. Together they are `smtplib.SMTP.sendmail` (the
same commands, answers and exceptions, which `transport._classify` sorts).

The delivery promise is unchanged: a message counts as sent only after `verdict`, and
a connection lost between the dot and the answer is the duplicate window it already
names (README)."""

import re
import smtplib

from flask_mail import Message, sanitize_address, sanitize_addresses

SERVICE_NOT_AVAILABLE = 421  # the server is closing: nothing about this message
_LINE_STARTING_WITH_A_DOT = re.compile(rb"(?m)^\.")


def hand_over(host: smtplib.SMTP, message: Message) -> None:
    """MAIL, RCPT and DATA, then the message and its final dot, without waiting for
    the server's answer to it."""
    data = message.as_bytes()
    sender = sanitize_address(message.sender)
    recipients = list(sanitize_addresses(message.send_to))
    host.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if host.does_esmtp and host.has_extn("size") else []
    code, reply = host.mail(sender, options)
    if code != 250:
        _stop(host, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = host.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == SERVICE_NOT_AVAILABLE:
            host.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _stop(host, code)
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = host.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = _LINE_STARTING_WITH_A_DOT.sub(b"..", data)  # a line of its own "." ends it
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    host.send(body + b".\r\n")


def verdict(host: smtplib.SMTP) -> None:
    """The server's answer to the message handed over: returns once it took it."""
    code, reply = host.getreply()
    if code != 250:
        _stop(host, code)
        raise smtplib.SMTPDataError(code, reply)


def _stop(host: smtplib.SMTP, code: int) -> None:
    """After a refusal: close on 421 (the server is going), else reset for the next."""
    if code == SERVICE_NOT_AVAILABLE:
        host.close()
        return
    try:
        host.rset()
    except smtplib.SMTPServerDisconnected:
        pass
