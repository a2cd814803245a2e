"""The outbox writes each message out faster than the standard library's generator
(issue 13), and what the server receives must be the same message: every header written
as compat32 writes it, and parts kept apart by boundaries that no text holds."""

from email import message_from_bytes, policy

from hypothesis import given
from hypothesis import strategies as st

from survey_app.outbox.transport import CRLF, Email

STANDARD = policy.compat32.clone(linesep="\r\n")
NAMES = st.sampled_from(["To", "From", "Subject", "Message-ID", "Content-Type", "X-Long-Name"])


def written(policy_, name: str, value: str):
    """The header's bytes, or the error that refuses it (the same for both policies)."""
    try:
        return policy_.fold_binary(name, value)
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return type(error)


@given(name=NAMES, value=st.text(max_size=120))
def test_every_header_is_written_as_compat32_writes_it(name, value):
    assert written(CRLF, name, value) == written(STANDARD, name, value)


@given(value=st.text(alphabet=st.characters(max_codepoint=127), max_size=120))
def test_ascii_headers_short_and_long_are_written_as_compat32_writes_them(value):
    assert written(CRLF, "Subject", value) == written(STANDARD, "Subject", value)


def test_a_message_reads_back_with_both_parts_and_its_headers(app):
    text = "Hei,\n--===============\nrivi\n" * 3
    html = "<p>Hei ja hyvää päivää</p>"
    email = Email(
        subject=("Kutsu kartoitukseen: Ääkköset ja pitkä otsikko " * 3).strip(),
        recipients=["unit@example.fi"],
        body=text,
        html=html,
        sender="Kehittämisyksiköt <kartoitus@example.fi>",
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    email.msgId = "<abc@example.fi>"
    written = email.as_bytes()
    assert b"\r\n" in written and b"\n" not in written.replace(b"\r\n", b"")
    read = message_from_bytes(written, policy=policy.default)
    assert read["Subject"] == email.subject
    assert read["To"] == "unit@example.fi" and read["Message-ID"] == "<abc@example.fi>"
    assert read["From"].addresses[0].display_name == "Kehittämisyksiköt"
    plain = read.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", "\n") == text
    assert read.get_body(("html",)).get_content().strip() == html
    boundaries = {part.get_boundary() for part in read.walk() if part.is_multipart()}
    assert len(boundaries) == 2 and all(boundary not in text for boundary in boundaries)
    # Each part's Content-Type fits one line: written as it is, never refolded.
    for boundary in boundaries:
        assert f'; boundary="{boundary}"\r\n'.encode() in written
