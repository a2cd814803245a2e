"""Admin accounts: the command line, login with throttling, logout, expiry, API tokens."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from survey_app import rate_limit
from survey_app.auth.accounts import admin_for_api_token
from survey_app.models import Admin, ApiToken, LinkFailure
from survey_app.models.types import utcnow
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import CSRF_RE, PASSWORD, create, login


@pytest.fixture
def regions(db):
    make_unit(region="Itä-Suomi")
    make_unit(region="Pohjois-Suomi")
    db.session.commit()


def test_create_admins_and_refusals(runner, db, regions):
    assert "Created national admin" in create(runner, "Paa@Example.fi", "--role", "national")
    assert "region Itä-Suomi" in create(
        runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi"
    )
    assert "needs --region" in create(runner, "x@example.fi", "--role", "regional", code=1)
    assert "no unit" in create(
        runner, "x@example.fi", "--role", "regional", "--region", "Atlantis", code=1
    )
    assert "at least 12" in create(
        runner, "x@example.fi", "--role", "national", password="short", code=1
    )
    assert "exists already" in create(runner, "paa@example.fi", "--role", "national", code=1)
    assert "not a valid email" in create(runner, "nope", "--role", "national", code=1)
    admin = db.session.scalar(select(Admin).filter_by(email="paa@example.fi"))
    assert admin.password_hash.startswith("$argon2id$")
    assert PASSWORD not in admin.password_hash


def test_login_shows_the_admin_page_and_logout_ends_it(runner, client, db, regions):
    create(runner, "paa@example.fi", "--role", "national")
    assert client.get("/admin/").status_code == 302  # to the login page
    assert login(client, "PAA@example.fi").status_code == 303
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "paa@example.fi" in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.post("/admin/logout", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/admin/").status_code == 302


def test_logout_ends_the_session_on_the_server_too(app, runner, client, db, regions):
    """A copy of the session cookie taken before the logout (another browser, a stolen
    copy) opens nothing afterwards; nor does one from before a password change."""
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    other = app.test_client()
    login(other, "paa@example.fi")  # the same admin on a second browser
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 200  # the copy works while the session does
    page = client.get("/admin/").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    assert client.post("/admin/logout", data={"csrf_token": csrf}).status_code == 303
    assert thief.get("/admin/").status_code == 302
    assert other.get("/admin/").status_code == 302  # every session of the admin ended
    login(other, "paa@example.fi")
    assert other.get("/admin/").status_code == 200  # logging in again works


def test_five_wrong_passwords_pause_that_account_from_that_address_only(
    app, runner, client, db, regions
):
    create(runner, "paa@example.fi", "--role", "national")
    for _ in range(5):
        refused = login(client, "paa@example.fi", "väärä salasana")
        assert refused.status_code == 401
        assert "Väärä sähköpostiosoite tai salasana" in refused.get_data(as_text=True)
    paused = login(client, "paa@example.fi")  # the right password, but from here: paused
    assert paused.status_code == 429
    assert "10 minuutin" in paused.get_data(as_text=True)
    # The owner elsewhere is not locked out by whoever guesses from here.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(elsewhere, "paa@example.fi").status_code == 303
    # The next window forgives the address.
    db.session.execute(update(LinkFailure).values(window_start=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert login(client, "paa@example.fi").status_code == 303


def test_an_unknown_account_is_paused_like_a_known_one(runner, client, db, regions):
    """Five failures pause a made-up address just as a real one: the answers do not
    tell which accounts exist."""
    create(runner, "paa@example.fi", "--role", "national")
    for email in ("paa@example.fi", "kuka@example.fi"):
        statuses = [login(client, email, "väärä salasana").status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429], email


def test_a_paused_address_is_refused_before_any_password_is_hashed(
    app, runner, client, db, regions, monkeypatch
):
    """Refusing an attempt must cost nothing: no password is hashed for it, and the
    right password does not get through either."""
    create(runner, "paa@example.fi", "--role", "national")
    app.config["LINK_FAILURE_LIMIT"] = 3
    hashed = []
    verify = PasswordHasher.verify
    monkeypatch.setattr(
        PasswordHasher, "verify", lambda self, *args: hashed.append(1) or verify(self, *args)
    )
    statuses = [login(client, f"user{n}@example.fi").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429] and len(hashed) == 4  # over the limit: paused
    assert login(client, "paa@example.fi").status_code == 429  # the right password
    assert login(client, "user9@example.fi").status_code == 429
    assert len(hashed) == 4


def test_unknown_email_is_refused_like_a_wrong_password(runner, client, db, regions):
    create(runner, "paa@example.fi", "--role", "national")
    unknown = login(client, "kuka@example.fi")
    wrong = login(client, "paa@example.fi", "väärä salasana")
    assert unknown.status_code == wrong.status_code == 401
    message = "Väärä sähköpostiosoite tai salasana"
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_a_burst_of_failed_logins_from_one_client_answers_429(app, runner, client, db, regions):
    app.config["LINK_FAILURE_LIMIT"] = 3
    statuses = [login(client, f"user{n}@example.fi").status_code for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_a_burst_that_straddles_two_windows_is_counted_whole(
    app, runner, client, db, regions, monkeypatch
):
    """Three failures just before a window ends, one just after: still a burst (a count
    kept per fixed window alone started again from zero, and a CI run that crossed the
    minute saw five 401s). The clock is set, not waited for: the windows' edge falls
    where the test says."""
    app.config["LINK_FAILURE_LIMIT"] = 3
    edge = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)  # a window begins on the minute
    monkeypatch.setattr(rate_limit, "utcnow", lambda: edge - timedelta(seconds=1))
    statuses = [login(client, f"user{n}@example.fi").status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    monkeypatch.setattr(rate_limit, "utcnow", lambda: edge + timedelta(seconds=1))
    assert login(client, "user3@example.fi").status_code == 429


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/%09/evil.example",  # a browser drops the tab: //evil.example
        "/%0a/x",  # a line break in a header: was a 500
        "/%0d%0aSet-Cookie:x=1",
        "/\\evil.example",
        "/%5Cevil.example",
        "https://evil.example/admin/",
        "javascript:alert(1)",
        "admin/units",
    ],
)
def test_an_open_redirect_is_not_possible(runner, client, db, regions, target):
    create(runner, "paa@example.fi", "--role", "national")
    page = client.get("/admin/login").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    done = client.post(
        f"/admin/login?next={target}",
        data={"csrf_token": csrf, "email": "paa@example.fi", "password": PASSWORD},
    )
    assert done.status_code == 303
    assert done.headers["Location"] == "/admin/"


def test_a_path_of_this_site_is_where_the_login_goes(runner, client, db, regions):
    create(runner, "paa@example.fi", "--role", "national")
    csrf = CSRF_RE.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    done = client.post(
        "/admin/login?next=/admin/units%3Fq%3Dlappi",
        data={"csrf_token": csrf, "email": "paa@example.fi", "password": PASSWORD},
    )
    assert done.headers["Location"] == "/admin/units?q=lappi"


def test_the_session_expires(app, runner, client, db, regions):
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi")
    cookie = client.get_cookie("session")
    assert cookie.expires is not None  # a lasting cookie with an end, not forever
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=-1)
    assert client.get("/admin/").status_code == 302


def test_the_start_page_counts_only_the_admins_region(runner, client, db, regions):
    round_ = make_round(slug="kevat")
    east = make_unit(region="Itä-Suomi")
    north = make_unit(region="Pohjois-Suomi")
    make_invitation(round_=round_, unit=east)
    make_invitation(round_=round_, unit=north)
    create(runner, "ita@example.fi", "--role", "regional", "--region", "Itä-Suomi")
    login(client, "ita@example.fi")
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(r"<td>1</td><td>0</td>", html), html


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(runner, db, regions):
    create(runner, "paa@example.fi", "--role", "national")
    token = runner.invoke(args=["admins", "token", "paa@example.fi"]).output.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    stored = db.session.scalar(select(ApiToken))
    assert token not in stored.token_hash
    assert admin_for_api_token(token).email == "paa@example.fi"
    result = runner.invoke(args=["admins", "revoke-tokens", "paa@example.fi"])
    assert "Revoked 1 tokens" in result.output
    db.session.expire_all()
    assert admin_for_api_token(token) is None
    unknown = runner.invoke(args=["admins", "token", "nobody@example.fi"])
    assert unknown.exit_code == 1 and "no admin" in unknown.output
