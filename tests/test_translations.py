"""Every UI string has Finnish and Swedish text, and the compiled catalogs are current."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "survey_app" / "translations"


def _key(value):
    """A message's id or text; a plural's (singular, plural) forms as a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _translated(message) -> bool:
    """Every form has a text (a plural message has one per form)."""
    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(forms) and all(forms)


def _own_text(message) -> bool:
    """Translated to something other than its id (the compiler writes an untranslated
    plural as its English forms, so those cannot be compared)."""
    return _translated(message) and _key(message.string) != _key(message.id)


def _template_ids() -> set:
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {_key(message.id) for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_message_is_translated(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {_key(m.id) for m in catalog if m.id and _translated(m) and not m.fuzzy}
    missing = sorted(_template_ids() - translated)
    assert missing == [], f"untranslated in {language}: {missing}"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_compiled_catalog_matches_source(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        source = {_key(m.id): _key(m.string) for m in read_po(handle) if m.id and _own_text(m)}
    with open(folder / "messages.mo", "rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id and _own_text(m)}
    assert compiled == source, "run: pybabel compile -d survey_app/translations"


def test_the_template_catalog_holds_every_string_of_the_code(tmp_path):
    """A string added to a view or template but never extracted would show in English
    whatever the language: the committed messages.pot must match a fresh extraction."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=TRANSLATIONS.parent.parent,
        check=True,
        capture_output=True,
    )
    with open(fresh, "rb") as handle:
        extracted = {_key(message.id) for message in read_po(handle) if message.id}
    assert sorted(extracted ^ _template_ids()) == [], (
        "run: pybabel extract -F survey_app/translations/babel.cfg -k _l --no-location "
        "--sort-output -o survey_app/translations/messages.pot ."
    )


def test_templates_switch_language_within_one_context(app):
    """Templates keep the translations of the locale in force (`i18n._translations`):
    one email after another in other languages, in one worker's context, each in its
    own."""
    from flask_babel import force_locale

    template = app.jinja_env.from_string("{{ _('Reminder: %(title)s', title='K') }}")
    said = []
    with app.app_context():
        for language in ("fi", "sv", "fi", "en"):
            with force_locale(language):
                said.append(template.render())
    assert said == ["Muistutus: K", "Påminnelse: K", "Muistutus: K", "Reminder: K"]
