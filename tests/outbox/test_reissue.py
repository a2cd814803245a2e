"""Re-issuing a link mails the new one; a corrected address can be mailed again."""

import re

import pytest
from sqlalchemy import select

from survey_app.invitations.mailing import (
    invitation_of,
    reissue_and_mail,
    resend_invitation,
)
from survey_app.models import Unit
from survey_app.refusals import Refused
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import form_fields

LINK_RE = re.compile(r"http://localhost(/r/[A-Za-z0-9_-]{43})")


def work(runner):
    result = runner.invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output


def test_a_reissued_link_is_mailed_and_the_old_one_is_dead(runner, client, db, smtp):
    round_ = make_round(slug="kevat")
    invitation, old_link = make_invitation(round_=round_, unit=make_unit(code="K1"))
    reissue_and_mail(invitation_of(round_, "K1"))
    db.session.commit()
    work(runner)
    (message,) = smtp.received
    new_link = LINK_RE.search(message.text).group(1)
    assert new_link != old_link
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_a_corrected_address_gets_the_invitation_again(runner, db, smtp):
    round_ = make_round(slug="kevat")
    invitation, link = make_invitation(round_=round_, unit=make_unit(code="K2"))
    unit = db.session.scalar(select(Unit).filter_by(code="K2"))
    unit.contact_email = "oikea.osoite@kunta.example.fi"
    resend_invitation(invitation)
    db.session.commit()
    work(runner)
    (message,) = smtp.received
    assert message.recipients == ["oikea.osoite@kunta.example.fi"]
    assert f"http://localhost{link}" in message.text  # the same link still works


def test_no_resend_after_the_unit_submitted(client, db, smtp):
    invitation, link = make_invitation()
    fields = form_fields(client.get(link).get_data(as_text=True))
    client.post(link, data={**fields, "action": "submit", "k1_1": "yes"})
    db.session.refresh(invitation)
    with pytest.raises(Refused, match="already submitted"):
        resend_invitation(invitation)


def test_an_unknown_unit_code_is_a_clear_error(db):
    round_ = make_round(slug="kevat")
    with pytest.raises(Refused, match="no invitation"):
        invitation_of(round_, "NOPE")


def test_reissue_and_resend_from_the_command_line(runner, client, db, smtp):
    round_ = make_round(slug="kevat")
    _invitation, old_link = make_invitation(round_=round_, unit=make_unit(code="K9"))
    result = runner.invoke(args=["invitations", "reissue", "kevat", "K9"])
    assert result.exit_code == 0, result.output
    assert "old link is dead" in result.output
    result = runner.invoke(args=["invitations", "resend", "kevat", "K9"])
    assert result.exit_code == 0, result.output
    work(runner)
    links = {LINK_RE.search(m.text).group(1) for m in smtp.received}
    assert len(smtp.received) == 2 and len(links) == 1  # both carry the new link
    assert old_link not in links
    assert client.get(old_link).status_code == 404
    unknown = runner.invoke(args=["invitations", "resend", "kevat", "NOPE"])
    assert unknown.exit_code == 1 and "no invitation" in unknown.output
