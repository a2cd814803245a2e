"""The baseline for the respondent's page: a bare Flask app that does the least the page
must do (look the invitation up by its hashed token, render a form of the same 23
items with their questions, help texts and options in Finnish, from a template compiled
once), served by the same gunicorn. `gunicorn 'bench.bare_app:create()'`."""

import hashlib
import os

from flask import Flask, abort
from sqlalchemy import create_engine, text

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


def create() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    page = app.jinja_env.from_string(PAGE)  # compiled once, as any app's templates are
    items = shipped_items()

    @app.get("/r/<token>")
    def answer(token: str):
        digest = hashlib.sha256(token.encode("ascii")).hexdigest()
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT units.name FROM invitations JOIN units ON units.id = "
                    "invitations.unit_id WHERE invitations.token_hash = :digest"
                ),
                {"digest": digest},
            ).first()
        if row is None:
            abort(404)
        return page.render(name=row.name, items=items)

    return app
