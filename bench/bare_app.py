"""The baseline for the respondent's page: a bare Flask app that does the least the page
must do, served by the same gunicorn. `gunicorn 'bench.bare_app:create()'`.

GET: look the invitation up by its hashed token and render a form of the same 23 items
with their questions, help texts and options in Finnish, from a template compiled once.
POST: look it up the same way and store the posted answers in place of the earlier
ones (in a table of its own), then redirect."""

import hashlib
import os

from flask import Flask, abort, redirect, request
from sqlalchemy import create_engine, event, text

PAGE = """<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>{{ name }}</title>
</head><body><h1>{{ name }}</h1><form method="post">
{% for item in items %}<div id="item-{{ item.code }}">
{% if item.options %}<fieldset><legend>{{ item.text }}</legend>
{% if item.help %}<p>{{ item.help }}</p>{% endif %}
{% for value, label in item.options %}<input type="radio" name="{{ item.code }}"
 id="{{ item.code }}-{{ loop.index0 }}" value="{{ value }}">
<label for="{{ item.code }}-{{ loop.index0 }}">{{ label }}</label>{% endfor %}</fieldset>
{% else %}<label for="{{ item.code }}">{{ item.text }}</label>
{% if item.help %}<p>{{ item.help }}</p>{% endif %}
<textarea id="{{ item.code }}" name="{{ item.code }}"></textarea>{% endif %}</div>
{% endfor %}<button name="action" value="submit">Lähetä</button></form></body></html>"""


def shipped_items() -> list[dict]:
    """The shipped questionnaires' items as plain Finnish texts, read once at start."""
    from survey_app.models.definition import Questionnaire
    from survey_app.questionnaires.registry import shipped_definitions

    return [
        {
            "code": item.code,
            "text": item.text_in("fi"),
            "help": item.help_in("fi"),
            "options": [(option.value, option.label_in("fi")) for option in item.options],
        }
        for data in shipped_definitions().values()
        for item in Questionnaire.from_dict(data).items
    ]


LOOKUP = text(
    "SELECT invitations.id, units.name FROM invitations JOIN units ON units.id = "
    "invitations.unit_id WHERE invitations.token_hash = :digest"
)


def create() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"]
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, pool_pre_ping=True, connect_args={"timeout": 30} if sqlite else {})
    if sqlite:  # writers wait for the lock, as the service's do
        event.listen(engine, "connect", lambda dbapi, _record: _wal(dbapi))
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bare_answers "
                "(invitation_id INTEGER, item_code VARCHAR(64), value TEXT)"
            )
        )
        connection.execute(
            text("CREATE INDEX IF NOT EXISTS ix_bare_answers ON bare_answers (invitation_id)")
        )
    page = app.jinja_env.from_string(PAGE)  # compiled once, as any app's templates are
    items = shipped_items()
    codes = [item["code"] for item in items]

    def invitation(token: str):
        digest = hashlib.sha256(token.encode("ascii")).hexdigest()
        with engine.connect() as connection:
            row = connection.execute(LOOKUP, {"digest": digest}).first()
        if row is None:
            abort(404)
        return row

    @app.get("/r/<token>")
    def answer(token: str):
        return page.render(name=invitation(token).name, items=items)

    @app.post("/r/<token>")
    def submit(token: str):
        invitation_id = invitation(token).id
        rows = [
            {"invitation": invitation_id, "code": code, "value": value}
            for code in codes
            for value in request.form.getlist(code)
            if value
        ]
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM bare_answers WHERE invitation_id = :invitation"),
                {"invitation": invitation_id},
            )
            connection.execute(
                text("INSERT INTO bare_answers VALUES (:invitation, :code, :value)"), rows
            )
        return redirect(f"/r/{token}/done", code=303)

    return app


def _wal(dbapi_connection) -> None:
    dbapi_connection.execute("PRAGMA journal_mode = WAL")
