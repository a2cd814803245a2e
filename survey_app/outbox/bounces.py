"""Bounces: delivery status notifications (RFC 3464) read back into the outbox.

A mail server that accepted a message may later fail to deliver it and mail a report
(`multipart/report; report-type=delivery-status`) to the sender. `flask outbox bounces
PATH` reads such reports from a maildir or an mbox file, finds the Message-ID of the
message each one is about, and marks that outbox row bounced. Reports of delays, other
mail and reports about messages we never sent change nothing; a row marked before keeps
its first bounce, so reading the same mailbox again changes nothing either.
"""

import email
import email.policy
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import collapse_rfc2231_value
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import OutboxMessage
from ..models.types import utcnow

MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
PREFIX = "bounced: "
LAST_ERROR_MAX = 2000


class MailboxError(ValueError):
    """PATH is neither a maildir nor an mbox file."""


@dataclass(frozen=True)
class Notice:
    """What one delivery status notification says about one of our messages."""

    message_ids: tuple[str, ...]  # candidates for the original's Message-ID, best first
    failed: bool  # a final failure: the message will not arrive
    status: str  # e.g. "5.1.1"
    diagnostic: str  # the remote server's answer, or "" when the report gives none
    recipient: str

    @property
    def reason(self) -> str:
        text = self.diagnostic or f"status {self.status or 'unknown'}"
        if self.recipient and self.recipient not in text:
            text = f"{text} ({self.recipient})"
        return (PREFIX + text)[:LAST_ERROR_MAX]


@dataclass
class BounceResult:
    read: int = 0
    matched: int = 0  # failure reports about a message of ours
    newly_marked: int = 0  # of those, rows not marked bounced before this run
    unmatched: int = 0  # failure reports about a message we cannot find
    ignored: int = 0  # not a report, or a report of delay, relay or delivery


def read_mailbox(path: str | Path) -> Iterator[bytes]:
    """The raw messages of a maildir (a folder with cur/ and new/) or an mbox file."""
    path = Path(path)
    if path.is_dir():
        if not ((path / "cur").is_dir() and (path / "new").is_dir()):
            raise MailboxError(f"{path} is a folder but not a maildir (no cur/ and new/)")
        box = mailbox.Maildir(path, factory=None, create=False)
    elif path.is_file():
        with path.open("rb") as file:
            start = file.read(5)
        if start and start != b"From ":
            raise MailboxError(f"{path} is not an mbox file (it does not start with 'From ')")
        box = mailbox.mbox(path, factory=None, create=False)
    else:
        raise MailboxError(f"{path} does not exist")
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


def parse_notice(raw: bytes) -> Notice | None:
    """The delivery status notification in this message, or None if there is none."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report = next(
        (
            part
            for part in message.walk()
            if part.get_content_type() == "multipart/report"
            and str(collapse_rfc2231_value(part.get_param("report-type", ""))).lower()
            == "delivery-status"
        ),
        None,
    )
    if report is None or not report.is_multipart():
        return None
    parts = report.get_payload()
    status_part = next(
        (p for p in parts if p.get_content_type() == "message/delivery-status"), None
    )
    if status_part is None or not isinstance(status_part.get_payload(), list):
        return None
    # The first block holds per-message fields; each further block is one recipient.
    recipients = status_part.get_payload()[1:]
    if not recipients:
        return None
    failed = [block for block in recipients if _is_final_failure(block)]
    block = failed[0] if failed else recipients[0]
    return Notice(
        message_ids=tuple(_original_message_ids(parts, message)),
        failed=bool(failed),
        status=_field(block, "Status"),
        diagnostic=_diagnostic(block),
        recipient=_typed_value(_field(block, "Final-Recipient")),
    )


def apply_bounces(path: str | Path) -> BounceResult:
    """Mark the outbox rows that the reports in PATH say bounced; the caller commits."""
    result = BounceResult()
    for raw in read_mailbox(path):
        result.read += 1
        notice = parse_notice(raw)
        if notice is None or not notice.failed:
            result.ignored += 1
            continue
        row = _find_row(notice.message_ids)
        if row is None:
            result.unmatched += 1
            continue
        result.matched += 1
        if row.bounced_at is None:
            row.bounced_at = utcnow()
            row.last_error = notice.reason
            result.newly_marked += 1
    db.session.flush()
    return result


def _is_final_failure(block: Message) -> bool:
    """Action `failed` is final (RFC 3464 2.3.3), whether the status is 5.x.x or, when a
    server gave up after retrying for days, 4.x.x; `delayed` and the rest are not."""
    action = _field(block, "Action").lower()
    return action == "failed" and not _field(block, "Status").startswith("2.")


def _original_message_ids(parts: list[Message], report: Message) -> Iterator[str]:
    for part in parts:
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(
                part.get_payload(decode=True) or b""
            )
            yield from _ids_in(headers.get("Message-ID"))
        elif kind == "message/rfc822" and part.is_multipart():
            yield from _ids_in(part.get_payload(0).get("Message-ID"))
    yield from _ids_in(report.get("In-Reply-To"))
    yield from reversed(list(_ids_in(report.get("References"))))


def _ids_in(value) -> Iterator[str]:
    if value is None:
        return
    text = " ".join(str(value).split())
    found = MESSAGE_ID_RE.findall(text)
    if found:
        yield from found
    elif text and " " not in text:
        yield f"<{text}>"  # written without its angle brackets


def _find_row(message_ids: tuple[str, ...]) -> OutboxMessage | None:
    if not message_ids:
        return None
    rows = {
        row.message_id: row
        for row in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.message_id.in_(message_ids))
        )
    }
    return next((rows[mid] for mid in message_ids if mid in rows), None)


def _field(block: Message, name: str) -> str:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _typed_value(value: str) -> str:
    """'rfc822; a@b.fi' -> 'a@b.fi' (fields carry an address or diagnostic type)."""
    kind, separator, rest = value.partition(";")
    return rest.strip() if separator and " " not in kind.strip() else value


def _diagnostic(block: Message) -> str:
    return _typed_value(_field(block, "Diagnostic-Code"))
