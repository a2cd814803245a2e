"""Language choice: an explicit switch, then the respondent's unit, then Finnish."""

from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations

from .extensions import babel

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

# Each language named in itself, for the switch.
LANGUAGE_NAMES = (("fi", "Suomeksi"), ("sv", "På svenska"), ("en", "In English"))


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a CLI command or the mail worker: see force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    unit_language = g.get("unit_language")
    if unit_language in languages:
        return unit_language
    # Finnish unless someone chose otherwise: the service speaks Finnish by default.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@cache
def _locale(code: str) -> Locale:
    """One Locale object per language for the process: Flask-Babel parses the selector's
    answer on every request otherwise (a fiftieth of the respondent page's time)."""
    return Locale.parse(code)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "fi"


def _translations():
    """`flask_babel.get_translations`, kept for the locale in force: a page or an email
    asks it for each of its dozens of texts, and it took 5.6 µs a time (the outbox's
    two templates ask 47). A locale chosen anew (`force_locale`, `refresh`) is another
    object, so its own translations are looked up."""
    locale = get_locale()
    kept = g.get("_translations_of_locale")
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    g._translations_of_locale = (locale, translations)
    return translations


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=lambda: _locale(select_locale()))
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _translations().ugettext(text),
        ngettext=lambda text, plural, n: _translations().ungettext(text, plural, n),
        pgettext=lambda context, text: _translations().upgettext(context, text),
        npgettext=lambda context, text, plural, n: _translations().unpgettext(
            context, text, plural, n
        ),
        newstyle=True,
    )

    @app.context_processor
    def language_context():
        return {
            "current_language": current_language(),
            "languages": app.config["LANGUAGES"],
            "language_names": LANGUAGE_NAMES,
        }
