"""The respondent's form (POST /r/<token>) with anything in it: the item fields k1_1 …
k4_2 and the kehy_* texts, `action`, `version`, `submission_key`, `shown`, the CSRF
token, the language, extra fields, control characters, very long texts, either form
encoding. Every answer is a page or a redirect below 500 with no traceback, and the
form and its confirmation page still open afterwards (whatever was stored renders)."""

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from survey_app.questionnaires.registry import shipped_definitions
from tests.bad_input.strategies import SAFE_CODE, examples, field_values, mostly, nasty_text
from tests.factories import make_invitation, make_round
from tests.helpers import form_fields

ITEMS = [
    item["code"]
    for key in ("criteria", "kehy")
    for section in shipped_definitions()[key]["sections"]
    for item in section["items"]
]
CHOICE_ITEMS = [code for code in ITEMS if not code.startswith("kehy_")]
TEXT_ITEMS = [code for code in ITEMS if code.startswith("kehy_")]
KEEP = object()  # the hidden field as the page gave it
HIDDEN = ("csrf_token", "version", "submission_key")


def hidden_value(name: str) -> st.SearchStrategy:
    """As the page gave it (mostly), left out, or anything."""
    good = {
        "version": st.integers(-1, 10**12).map(str) | st.sampled_from(["1\n", " 1", "１"]),
        "submission_key": SAFE_CODE | st.sampled_from(["k" * 64, "k" * 64 + "\n", "k" * 65]),
        "csrf_token": st.just("IjAwMDAi.aaaa.bbbb"),
    }[name]
    return mostly(st.just(KEEP), st.one_of(st.none(), good, nasty_text()), 3)


@st.composite
def posts(draw):
    """(form data with KEEP for hidden fields to fill in, query string, multipart?)."""
    data = {}
    for code in draw(st.lists(st.sampled_from(CHOICE_ITEMS), unique=True, max_size=6)):
        data[code] = draw(field_values(st.sampled_from(["yes", "planned", "no", ""])))
    for code in draw(st.lists(st.sampled_from(TEXT_ITEMS), unique=True, max_size=4)):
        data[code] = draw(field_values(st.text(max_size=200)))
    data["action"] = draw(field_values(st.sampled_from(["save", "submit"])))
    if draw(st.booleans()):
        data["shown"] = draw(st.lists(st.sampled_from(ITEMS) | nasty_text(), max_size=6))
    if draw(st.integers(0, 4)) == 0:
        data["switch_language"] = draw(st.sampled_from(["fi", "sv", "en"]) | nasty_text())
    for name in HIDDEN:
        value = draw(hidden_value(name))
        if value is not None:
            data[name] = value
    extra = draw(st.dictionaries(nasty_text(20), field_values(st.just("x")), max_size=3))
    for name, value in extra.items():
        data.setdefault(name, value)
    query = {}
    if draw(st.booleans()):
        query["lang"] = draw(st.sampled_from(["fi", "sv", "en"]) | nasty_text())
    return data, query, draw(st.booleans())


def browser_name(name: str) -> str:
    """A field's name in a multipart body as browsers escape it (the HTML standard's
    CR, LF and quote), and a backslash too. The test client writes names as they are;
    a name with a line break, or a backslash (which browsers send as it is), makes
    Werkzeug read a part without a name, and such a request is answered 500 before any
    view of this app runs (Flask-WTF's CSRF check and the NUL guard in security.py):
    a bug of its own, outside this test."""
    for character, escape in (("\r", "%0D"), ("\n", "%0A"), ('"', "%22"), ("\\", "%5C")):
        name = name.replace(character, escape)
    return name


def assert_answered(response):
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, body[:2000])
    assert "Traceback" not in body
    if 300 <= response.status_code < 400:
        assert response.headers.get("Location")


@pytest.fixture
def round_(db):
    round_ = make_round()
    db.session.commit()
    return round_


def post(fields: dict, query: dict | None = None, multipart: bool = False):
    """An explicit example: the hidden fields as the page gave them, and `fields`."""
    hidden = dict.fromkeys(HIDDEN, KEEP)
    return {**hidden, "action": "save", **fields}, query or {}, multipart


@examples(100)
@given(post=posts())
# Seen once, run every time: values a handler must not trust.
@example(post=post({"version": "1e3", "k1_1": "yes"}))
@example(post=post({"action": "submit", "submission_key": "k" * 64 + "\n", "k1_1": "yes"}))
@example(post=post({"kehy_other": "x\x01" * 6000, "k1_1": ["yes", "no"], "k2_1": "kyllä"}))
@example(post=post({"a\nb": "x", "\\": "y", "kehy_name": "\x00"}, {"lang": "xx"}, True))
@example(post=post({"action": ["save", "submit"], "shown": ["k1_1", "\u2028"]}, {}, True))
def test_any_post_to_the_form_is_answered_with_a_page(client, round_, post):
    data, query, multipart = post
    # A unit of its own for each example: no example sees what an earlier one stored.
    _invitation, link = make_invitation(round_=round_)
    page = client.get(link)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True))
    data = {name: fields.get(name, "") if value is KEEP else value for name, value in data.items()}
    options = {}
    if multipart:
        options["content_type"] = "multipart/form-data"
        data = {browser_name(name): value for name, value in data.items()}
    answer = client.post(link, data=data, query_string=query, **options)
    event(f"POST answered {answer.status_code}")  # see --hypothesis-show-statistics
    assert_answered(answer)
    assert_answered(client.get(link, query_string=query))
    assert_answered(client.get(f"{link}/done", query_string=query))
