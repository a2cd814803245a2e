"""The questionnaire loader with any text and any structure: `load_yaml` gives a mapping
or a DefinitionError naming the problem, `validate_definition` a list of problems and
nothing else, and a definition it finds no problem with is one the app can build, store
(as JSON, on either database) and read back the same; `flask questionnaires check PATH`
exits 0 or 1, never with a traceback, and its OK means exactly that."""

import copy
import json
import math

import yaml
from hypothesis import event, example, given
from hypothesis import strategies as st

from survey_app.models.definition import Questionnaire
from survey_app.questionnaires.registry import ensure_stored, shipped_definitions
from survey_app.questionnaires.validation import DefinitionError, load_yaml, validate_definition
from tests.bad_input.strategies import examples, mostly, nasty_text
from tests.definitions import EVERYTHING
from tests.helpers import ended_cleanly

BASES = [EVERYTHING, *shipped_definitions().values()]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-3, 3),
    st.floats(),
    st.text(max_size=10),
    nasty_text(),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        ["single_choice", "multiple_choice", "short_text", "long_text", "number", "dropdown"]
        + ["yes_no", "unit.name", "unit.password", "fi", "sv", "en", "de", "a1", "s1", "x"]
        + [0, 1, -1, 10_000, 10_001, 2**31, 2**63, 10**30, 1.5, math.nan, math.inf, ""]
    ),
)
KEYS = st.one_of(
    st.sampled_from(
        ["key", "version", "title", "intro", "scales", "sections", "code", "type", "text"]
        + ["help", "required", "options", "scale", "max_length", "min", "max", "value"]
        + ["label", "items", "default_from", "prefill_from_previous_round", "fi", "sv"]
    ),
    st.text(max_size=8),
    st.integers(-2, 2),
    st.booleans(),
    st.none(),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


def places(node, found: list) -> list:
    """Every (container, key or index) of a definition, depth first."""
    for key, child in list(node.items() if isinstance(node, dict) else enumerate(node)):
        found.append((node, key))
        if isinstance(child, dict | list):
            places(child, found)
    return found


@st.composite
def mutated_definitions(draw) -> dict:
    """A valid definition with up to three of its parts replaced, removed, renamed or
    repeated (or added to), each part as likely as any other."""
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _change in range(draw(st.integers(0, 3))):
        node, key = draw(st.sampled_from(places(data, [])))
        action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "rename", "add"]))
        if action == "replace":
            node[key] = draw(VALUES)
        elif action == "remove":
            del node[key]
        elif isinstance(node, list):
            node.append(copy.deepcopy(node[key]) if action == "rename" else draw(VALUES))
        elif action == "rename":
            node[draw(KEYS)] = node.pop(key)
        else:
            node[draw(KEYS)] = draw(VALUES)
    return data


def yaml_of(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# Pieces of YAML that a hand-written file (or a broken one) may hold.
YAML_PIECES = st.sampled_from(
    ["\n", "  ", "- ", ": ", "key: ", "{", "}", "[", "]", ",", "? ", "&a ", "*a", "<<: "]
    + ["!!binary ", "!!timestamp ", "!!int ", "!!float ", "!!set ", "!!omap ", "!!str "]
    + ["!!python/object:os.system ", "!custom ", "2001-02-30", "2001-12-14t21:59:43.10-05:00"]
    + ["0x1F", "0o17", "1_000", ".nan", "-.inf", "~", "null", "yes", "no", "'", '"', "#"]
    + ["|\n", ">-\n", "\t", "%YAML 1.1\n", "---\n", "...\n", "\\x00", "\ufeff", "\x85", "\x00"]
)


@st.composite
def yaml_texts(draw) -> str:
    """YAML of a (mostly broken) definition, edited as text; or pieces of YAML; or
    anything; or something nested deeper than any parser goes."""
    kind = draw(st.sampled_from(["dump", "edited", "pieces", "text", "deep"]))
    if kind == "deep":
        depth = draw(st.integers(50, 5000))
        opener = draw(st.sampled_from(["[", "{a: ", "- "]))
        return "key: " + opener * depth
    if kind == "text":
        return draw(st.text(max_size=200))
    if kind == "pieces":
        return "".join(draw(st.lists(YAML_PIECES | st.text(max_size=5), max_size=30)))
    text = yaml_of(draw(mutated_definitions()))
    if kind == "edited":
        for _edit in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            cut = draw(st.integers(0, 5))
            text = text[:at] + draw(YAML_PIECES | st.text(max_size=3)) + text[at + cut :]
    return text


def definitions() -> st.SearchStrategy:
    return st.one_of(mutated_definitions(), VALUES)


# --- the functions ---------------------------------------------------------------------------


def assert_buildable(data: dict) -> None:
    """What `validate_definition` finds no problem with the app can use: build it, and
    store it as JSON and read it back the same."""
    questionnaire = Questionnaire.from_dict(data)
    for item in questionnaire.items:
        if item.is_choice:
            assert item.options, item.code
    stored = json.loads(json.dumps(data, sort_keys=True, allow_nan=False))
    assert Questionnaire.from_dict(stored) == questionnaire


def check_definition(data) -> list[str]:
    errors = validate_definition(data)
    assert isinstance(errors, list)
    assert all(isinstance(error, str) and error for error in errors)
    event("valid" if not errors else "problems")
    if not errors:
        assert_buildable(data)
    return errors


def changed(**items) -> dict:
    """EVERYTHING with its first item's fields changed (None: removed)."""
    data = copy.deepcopy(EVERYTHING)
    first = data["sections"][0]["items"][0]
    first.update(items)
    for name in [name for name, value in items.items() if value is None]:
        del first[name]
    return data


@examples(200)
@given(data=definitions())
# Seen once, run every time: structures the checks once let through, or crashed on.
@example(data=changed(scale=["yes_no"]))
@example(data=changed(scale=1))
@example(data={**changed(scale=""), "scales": {"": EVERYTHING["scales"]["yes_no"]}})
@example(data={**changed(scale=1), "scales": {1: EVERYTHING["scales"]["yes_no"]}})
@example(data=changed(type="number", scale=None, min=math.nan))
@example(data=changed(type="number", scale=None, max=math.inf, min=10**400))
@example(data={**EVERYTHING, "version": 2**31, "key": "k" * 65})
@example(data=changed(code="a1\n"))
@example(data=changed(scale=None, options=[{"value": "x", "label": EVERYTHING["title"], None: 1}]))
def test_validate_definition_names_problems_of_any_structure(data):
    check_definition(data)


@examples(200)
@given(text=yaml_texts())
@example(text="key: 2001-02-30")
@example(text="key: !!int x\nversion: !!float ''")
@example(text="a: !!timestamp x")
@example(text="key: " + "[" * 3000)
@example(text="? [1]\n: 2")
def test_load_yaml_gives_a_mapping_or_names_the_problem(text):
    try:
        data = load_yaml(text, source="pilot.yaml")
    except DefinitionError as error:
        event("DefinitionError")
        assert error.errors and all(line.startswith("pilot.yaml") for line in error.errors)
        return
    assert isinstance(data, dict)
    check_definition(data)


# --- the command -----------------------------------------------------------------------------


@st.composite
def definition_files(draw) -> bytes:
    kind = draw(st.sampled_from(["yaml", "yaml", "yaml", "latin-1", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    text = draw(mostly(st.builds(yaml_of, mutated_definitions()), yaml_texts(), 2))
    return text.encode("utf-8" if kind == "yaml" else "latin-1", errors="replace")


@examples(80)
@given(file=definition_files())
@example(file=yaml_of({**EVERYTHING, "version": 2**31}).encode())
@example(file=yaml_of({**EVERYTHING, "key": "k" * 65}).encode())
@example(file=yaml_of(EVERYTHING).encode())
@example(file=b"key: 2001-02-30\n")
@example(file="key: ä".encode("latin-1"))
def test_questionnaires_check_exits_0_or_1_and_ok_means_storable(runner, db, tmp_path, file):
    path = tmp_path / "pilot.yaml"
    path.write_bytes(file)
    result = runner.invoke(args=["questionnaires", "check", str(path)])
    event(f"exit {result.exit_code}")
    ended_cleanly(result)
    if result.exit_code == 1:
        assert "error(s)" in result.output
        return
    assert ": OK (" in result.output
    data = load_yaml(file.decode("utf-8"))
    try:
        stored = ensure_stored(data)  # as `rounds create` stores it
        db.session.flush()
        db.session.expire(stored)
        assert stored.questionnaire == Questionnaire.from_dict(data)
    finally:
        db.session.rollback()
