"""A round's own invitation and reminder texts, saved by `rounds email-text`, sent as mail."""

import re

import pytest
from sqlalchemy import select

from survey_app.models import Round
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import invoke

LINK_RE = re.compile(r"http://localhost/r/[A-Za-z0-9_-]{43}")

BODY = """Hei {contact_name},

yksikkönne {unit_name} vastaukset kartoitukseen {round_title} tarvitaan {deadline} mennessä.
Linkki: {link}

Terveisin <script>alert("KEHY")</script> & muut
Merkit {{ ja }} sellaisinaan.
"""


def email_text(runner, tmp_path, *args, body=BODY, subject="Vastatkaa: {round_title}"):
    path = tmp_path / "body.txt"
    path.write_text(body, encoding="utf-8")
    return runner.invoke(
        args=["rounds", "email-text", *args, "--subject", subject, "--body-file", str(path)]
    )


def plain(received) -> str:
    return received.text.replace("\r\n", "\n")


def html_of(received) -> str:
    return received.html.replace("\r\n", "\n")


def stored_texts(db, slug):
    db.session.expire_all()
    return db.session.scalar(select(Round).filter_by(slug=slug)).email_texts


@pytest.fixture
def round_with_units(db):
    round_ = make_round(slug="syksy")
    finnish = make_unit(contact_name="Anna Virtanen", name="KEHY Kuopio")
    swedish = make_unit(contact_name="Päivi Lehtonen", language="sv")
    (_invitation, link), _ = make_invitation(round_, finnish), make_invitation(round_, swedish)
    return round_, finnish, swedish, f"http://localhost{link}"


def test_an_invitation_override_is_sent_in_its_language(
    runner, db, smtp, tmp_path, round_with_units
):
    round_, finnish, swedish, link = round_with_units
    result = email_text(runner, tmp_path, "syksy", "--kind", "invitation", "--language", "fi")
    assert result.exit_code == 0, result.output
    assert "Saved the invitation text (fi) of round syksy" in result.output
    invoke(runner, "invitations", "send", "syksy")
    invoke(runner, "outbox", "work", "--once")

    (mail,) = smtp.to(finnish.contact_email)
    assert mail.message["Subject"] == "Vastatkaa: Testikartoitus"
    text = plain(mail)
    assert text.startswith("Hei Anna Virtanen,\n\nyksikkönne KEHY Kuopio vastaukset")
    assert "kartoitukseen Testikartoitus tarvitaan" in text
    assert re.search(r"\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2} mennessä", text)
    assert f"Linkki: {link}\n" in text
    assert '<script>alert("KEHY")</script> & muut' in text  # plain text stays as written
    assert "Merkit { ja } sellaisinaan." in text

    html = html_of(mail)
    assert f'<a href="{link}">{link}</a>' in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;KEHY&#34;)&lt;/script&gt; &amp; muut" in html
    assert "<p>Hei Anna Virtanen,</p>" in html
    assert "mennessä.<br>\nLinkki:" in html
    assert html.startswith('<!doctype html>\n<html lang="fi">')

    # the Swedish unit has no Swedish override: the standard text
    (standard,) = smtp.to(swedish.contact_email)
    assert standard.message["Subject"] == "Inbjudan till kartläggningen: Testikartoitus"
    assert "Hej Päivi Lehtonen" in standard.text
    assert LINK_RE.search(standard.text)


def test_a_reminder_override_replaces_only_the_reminder(
    runner, db, smtp, tmp_path, round_with_units
):
    _round, _finnish, swedish, _link = round_with_units
    body = "Hej {contact_name}! Svara senast {deadline}: {link}"
    result = email_text(
        runner,
        tmp_path,
        "syksy",
        "--kind",
        "reminder",
        "--language",
        "sv",
        body=body,
        subject="Påminnelse om {round_title} för {unit_name}",
    )
    assert result.exit_code == 0, result.output
    invoke(runner, "invitations", "send", "syksy")
    invoke(runner, "invitations", "remind", "syksy", "--all")  # invited a moment ago
    invoke(runner, "outbox", "work", "--once")
    invitation, reminder = smtp.to(swedish.contact_email)
    assert invitation.message["Subject"] == "Inbjudan till kartläggningen: Testikartoitus"
    assert reminder.message["Subject"] == f"Påminnelse om Testikartoitus för {swedish.name}"
    assert re.fullmatch(
        r"Hej Päivi Lehtonen! Svara senast \d+\.\d+\.\d{4} kl\. \d+\.\d{2}: "
        r"http://localhost/r/[A-Za-z0-9_-]{43}\n\n--\n"
        r"Avsändare: Kompetenscentren inom det sociala området\.\n"
        r"Frågor om kartläggningen: Kartläggningens kontaktperson, \S+@\S+\n",
        plain(reminder),
    )


def test_clear_goes_back_to_the_template(runner, db, smtp, tmp_path, round_with_units):
    _round, finnish, _swedish, link = round_with_units
    args = ("syksy", "--kind", "invitation", "--language", "fi")
    assert email_text(runner, tmp_path, *args).exit_code == 0
    assert stored_texts(db, "syksy")["invitation"]["fi"]["subject"] == "Vastatkaa: {round_title}"
    output = invoke(runner, "rounds", "email-text", *args, "--clear")
    assert "the standard text is used again" in output
    assert stored_texts(db, "syksy") is None
    assert "had no invitation text (fi)" in invoke(runner, "rounds", "email-text", *args, "--clear")
    invoke(runner, "invitations", "send", "syksy")
    invoke(runner, "outbox", "work", "--once")
    (mail,) = smtp.to(finnish.contact_email)
    assert mail.message["Subject"] == "Kutsu kartoitukseen: Testikartoitus"
    assert "Hei Anna Virtanen" in mail.text and link in mail.text
    assert "Vastatkaa" not in mail.text


def test_an_override_saved_after_queueing_is_used_at_send_time(runner, db, smtp, tmp_path):
    invitation, link = make_invitation()
    slug = invitation.round.slug
    invoke(runner, "invitations", "send", slug)
    body = "Uusi teksti: {link}"
    args = (slug, "--kind", "invitation", "--language", "fi")
    assert email_text(runner, tmp_path, *args, body=body, subject="Uusi").exit_code == 0
    invoke(runner, "outbox", "work", "--once")
    (mail,) = smtp.received
    assert mail.message["Subject"] == "Uusi"
    # The round's own text, then who sent it and whom to ask, as in every message.
    assert plain(mail).startswith(f"Uusi teksti: http://localhost{link}\n\n--\nLähettäjä: ")


@pytest.mark.parametrize(
    ("subject", "body", "named"),
    [
        ("Kysely", "Hei {unti_name}, {link}", "unknown placeholder {unti_name}"),
        ("Kysely", "Hei {unti_name}, {link}", "did you mean {unit_name}?"),
        ("Kysely", "Hei {, {link}", "malformed placeholder near 'Hei {, {link}'"),
        ("Kysely", "Hei {\n{link}", "malformed placeholder"),
        ("Kysely", "Hei }, {link}", "a lone '}'"),
        ("Kysely", "Avoinna {link} {unit_name", "a '{' that is never closed"),
        ("Kysely", "Hei {0}, {link}", "malformed placeholder {0}"),
        ("Kysely", "Hei {}, {link}", "malformed placeholder {}"),
        ("Kysely", "Linkki {link.attr}", "malformed placeholder {link.attr}"),
        ("Kysely", "Linkki {link[0]}", "malformed placeholder {link[0]}"),
        ("Kysely", "Linkki {link!r}", "malformed placeholder {link!r}"),
        ("Kysely", "Määräaika {deadline:%Y} {link}", "malformed placeholder {deadline:%Y}"),
        ("Kysely", "Hei {unit_name}, vastatkaa pian.", "{link} is missing"),
        ("Kysely {roundtitle}", "{link}", "subject: unknown placeholder {roundtitle}"),
        ("Kysely {link}", "{link}", "subject: {link} belongs in the body"),
        ("   ", "{link}", "subject: must not be empty"),
        ("Kysely\x07", "{link}", "subject: a control character is not allowed"),
        ("Kysely", "Hei\x1b[31m {link}", "body: a control character is not allowed"),
        ("Kysely", "Hei\x00 {link}", "body: a control character is not allowed"),
    ],
)
def test_bad_texts_are_refused_and_nothing_is_saved(runner, db, tmp_path, subject, body, named):
    make_round(slug="syksy")
    db.session.commit()
    args = ("syksy", "--kind", "invitation", "--language", "fi")
    result = email_text(runner, tmp_path, *args, body=body, subject=subject)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")
    assert named in result.stderr, result.stderr
    assert stored_texts(db, "syksy") is None


def test_email_text_options(runner, db, tmp_path):
    make_round(slug="syksy")
    db.session.commit()
    base = ["rounds", "email-text", "syksy", "--kind", "invitation", "--language", "fi"]
    result = runner.invoke(args=[*base, "--subject", "Kysely"])
    assert result.exit_code == 1 and "both --subject and --body-file" in result.stderr
    result = runner.invoke(args=[*base, "--clear", "--subject", "Kysely"])
    assert result.exit_code == 1 and "--clear alone" in result.stderr
    result = runner.invoke(args=[*base[:5], "receipt", *base[5:], "--clear"])
    assert result.exit_code == 2  # only invitations and reminders have texts of their own
    path = tmp_path / "latin1.txt"
    path.write_bytes("Hyvä {link}".encode("latin-1"))
    result = runner.invoke(args=[*base, "--subject", "Kysely", "--body-file", str(path)])
    assert result.exit_code == 1 and "not UTF-8" in result.stderr
    result = email_text(runner, tmp_path, "nope", "--kind", "invitation", "--language", "fi")
    assert result.exit_code == 1 and "no round with slug 'nope'" in result.stderr
    # CRLF and a BOM from a Windows editor are fine
    path.write_bytes("\ufeffHei {unit_name}\r\n{link}\r\n".encode())
    result = runner.invoke(args=[*base, "--subject", "Kysely", "--body-file", str(path)])
    assert result.exit_code == 0, result.output
    assert stored_texts(db, "syksy")["invitation"]["fi"]["body"] == "Hei {unit_name}\n{link}"
