"""The new-round form (POST /admin/rounds/new, a national admin) with generated values
for the short name, the titles, the deadline's date and time, the questionnaires, the
reminder days and the email texts: never a 500; a round is created (303) only when
the form was taken, and a refused form (422) creates none."""

from datetime import date, timedelta

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from survey_app.invitations.email_texts import KINDS, LANGUAGES, PLACEHOLDERS
from survey_app.models import Round, RoundReminder, round_questionnaires
from survey_app.models.types import utcnow
from survey_app.timeutil import to_local
from tests.bad_input.strategies import TYPED, examples, field_values, mostly, nasty_text
from tests.helpers import CSRF_RE, create, login

TODAY = to_local(utcnow()).date()

SLUGS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True) | st.sampled_from(
    ["new", "kevat-2027", "-alku", "Iso", "a" * 101, "kevät", "a/b", "a b", "a\n"]
)
DATES = st.one_of(
    st.integers(-3, 365 * 6).map(lambda days: (TODAY + timedelta(days=days)).isoformat()),
    st.dates().map(date.isoformat),
    st.sampled_from(
        ["2027-02-30", "2027-13-01", "0000-01-01", "9999-12-31", "27-3-31", "31.3.2027"]
        + ["2027-03-31T16:00", "٢٠٢٧-٠٣-٣١", "２０２７-０３-３１", "2027-03-31\n"]
    ),
)
TIMES = st.one_of(
    st.times().map(lambda moment: moment.strftime("%H:%M")),
    st.times().map(lambda moment: moment.isoformat()),
    st.sampled_from(["16:00", "24:00", "23:60", "99:99", "4", "16.00", "٤:٠٠", "1:00 pm", "-1:00"]),
)
DAYS = st.one_of(
    st.lists(st.integers(-5, 400), max_size=5).map(lambda days: ", ".join(map(str, days))),
    st.sampled_from(["7, 2", "7;2 1", "²", "7,,2", "0", "1e3", "9" * 5000, "seitsemän"]),
)
TEXT_PARTS = st.sampled_from(
    [f"{{{name}}}" for name in PLACEHOLDERS]
    + ["{bogus}", "{", "}", "{{", "}}", "{link!r}"]
    + ["{link:>10}", "{0}", "{}", "Hei ", "\n", "\r\n", "\t"]
)
EMAIL_TEXTS = st.lists(TEXT_PARTS | nasty_text(12, max_repeat=6000), max_size=6).map("".join)
GOOD = {
    "title": st.text(TYPED, max_size=80).map(lambda text: f"Kartoitus {text}"),
    "title_sv": st.text(TYPED, max_size=80),
    "title_en": st.text(TYPED, max_size=80),
    "slug": st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True),
    "deadline_date": st.integers(1, 365 * 4).map(lambda d: (TODAY + timedelta(d)).isoformat()),
    "deadline_time": st.times().map(lambda moment: moment.strftime("%H:%M")),
    "reminder_days": st.lists(st.integers(1, 365).map(str), max_size=4).map(", ".join),
}
ANY = {
    "title": st.text(min_size=1, max_size=80),
    "title_sv": st.text(max_size=80),
    "title_en": st.text(max_size=80),
    "slug": SLUGS,
    "deadline_date": DATES,
    "deadline_time": TIMES,
    "reminder_days": DAYS,
}


@st.composite
def round_forms(draw) -> dict:
    """Half of them a form a person could fill in, with at most one thing wrong; the
    other half anything in any field."""
    damaged = draw(st.booleans())
    wrong = draw(st.sampled_from([*GOOD, "questionnaires", "email"]))
    data = {}
    for name in GOOD:
        if damaged or name == wrong:
            data[name] = draw(field_values(ANY[name]))
        elif name not in ("title_sv", "title_en") or draw(st.booleans()):
            data[name] = draw(GOOD[name])
    keys, least = st.sampled_from(["criteria:2", "kehy:2"]), 1
    if damaged or wrong == "questionnaires":
        keys, least = mostly(keys, nasty_text(), 3), 0
    data["questionnaires"] = draw(st.lists(keys, min_size=least, max_size=3))
    for kind in KINDS:
        for language in LANGUAGES:
            if draw(st.integers(0, 5)) == 0:
                if damaged or wrong == "email":
                    subject, body = EMAIL_TEXTS, EMAIL_TEXTS
                else:
                    subject = st.just("Kutsu: {round_title}")
                    body = st.sampled_from(["Hei {contact_name}, {link}", "{link}\n{deadline}"])
                data[f"{kind}_{language}_subject"] = draw(field_values(subject))
                data[f"{kind}_{language}_body"] = draw(field_values(body))
    if damaged:
        for name in draw(st.lists(st.sampled_from(sorted(data)), max_size=2, unique=True)):
            del data[name]  # a field left out
    return data


@pytest.fixture
def national(runner, client):
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    return client


def no_rounds(db):
    db.session.rollback()
    for table in (RoundReminder.__table__, round_questionnaires, Round.__table__):
        db.session.execute(delete(table))
    db.session.commit()


def filled_in(**changes) -> dict:
    """An explicit example: a form a person would send, with `changes`."""
    deadline = (TODAY + timedelta(days=30)).isoformat()
    return {
        "title": "Kevään kartoitus",
        "slug": "kevat-2099",
        "deadline_date": deadline,
        "deadline_time": "16:00",
        "questionnaires": ["criteria:2", "kehy:2"],
        "reminder_days": "7, 2",
        **changes,
    }


@examples(60)
@given(form=round_forms())
# Seen once, run every time: a good form, and values a handler must not trust.
@example(form=filled_in())
@example(form=filled_in(deadline_date="2027-02-30", reminder_days="²"))
@example(form=filled_in(deadline_date="9999-12-31", deadline_time="23:60", slug="a\n"))
@example(form=filled_in(reminder_days="9" * 5000, title="a\x0bb", title_sv="\x85"))
@example(form=filled_in(invitation_fi_subject="{link!r}", invitation_fi_body="{link:>10} {0} {"))
@example(form=filled_in(questionnaires=["criteria", "criteria", "kysely"], title_en=["a", "b"]))
def test_the_new_round_form_never_answers_500(national, db, form):
    no_rounds(db)  # each example starts without rounds, whatever an earlier one created
    page = national.get("/admin/rounds/new")
    csrf = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    answer = national.post("/admin/rounds/new", data={"csrf_token": csrf, **form})
    event(f"answered {answer.status_code}")
    body = answer.get_data(as_text=True)
    assert answer.status_code < 500, body[:2000]
    assert "Traceback" not in body
    db.session.rollback()
    slugs = list(db.session.scalars(select(Round.slug)))
    if answer.status_code == 303:
        assert len(slugs) == 1
        assert answer.headers["Location"].endswith(f"/admin/rounds/{slugs[0]}/manage")
        manage = national.get(answer.headers["Location"])
        assert manage.status_code == 200
    else:
        # 400: a NUL, 413: a body past MAX_CONTENT_LENGTH, both refused before any view.
        assert answer.status_code in (400, 413, 422)
        assert slugs == []
