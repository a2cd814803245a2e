"""The code's shape, as the README's layout promises: thin views and small modules.

A view parses the request, calls one service, commits once and renders; anything
longer has logic that belongs in a service. A module over 300 lines holds more than
one idea."""

import inspect
from pathlib import Path

import pytest

import survey_app
from survey_app import create_app

PACKAGE = Path(survey_app.__file__).resolve().parent
MAX_VIEW_LINES = 25
MAX_MODULE_LINES = 300


def _view_lengths() -> dict[str, int]:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    lengths = {}
    for endpoint, view in app.view_functions.items():
        function = inspect.unwrap(view)
        if not inspect.getsourcefile(function).startswith(str(PACKAGE)):
            continue  # Flask's own (static files)
        lines, _start = inspect.getsourcelines(function)
        first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
        lengths[endpoint] = len(lines) - first
    return lengths


def test_the_views_are_found():
    """The check below must see the views it checks (else it could pass on nothing)."""
    lengths = _view_lengths()
    assert {"respond.answer_post", "units.upload", "auth.login", "api.responses"} <= set(lengths)
    assert all(length > 1 for length in lengths.values())


def test_no_view_is_longer_than_25_lines():
    too_long = {name: n for name, n in _view_lengths().items() if n > MAX_VIEW_LINES}
    assert too_long == {}


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_is_longer_than_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES
