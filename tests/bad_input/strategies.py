"""What the bad-input tests generate, and how many examples they run.

`examples(n)` gives the settings of a property: the profile of conftest.py with `n`
examples (or SURVEY_FUZZ_EXAMPLES of them). The strategies mix what a person or a tool
might send: plausible values, their near misses, unicode with control characters,
very long texts.
"""

import os
import string

from hypothesis import settings
from hypothesis import strategies as st

PROFILE = "bad-input"  # registered in conftest.py
LONG_RUN = int(os.environ.get("SURVEY_FUZZ_EXAMPLES") or 0)


def examples(default: int) -> settings:
    return settings(settings.get_profile(PROFILE), max_examples=LONG_RUN or default)


# Every character a form may carry (lone surrogates cannot be encoded, so no client
# can send them); control characters come in often through CONTROL_CHARACTER, NUL
# through TRICKY only (it is refused before any view: too much of it would test
# nothing else).
ANY_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00")
CONTROL_CHARACTER = st.characters(min_codepoint=1, max_codepoint=31) | st.sampled_from(
    ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b", "\u202e"]
)
# What a person types: letters, digits, punctuation, symbols, spaces.
TYPED = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\r\n",
        "\t",
        "\x00",
        "a\x00b",
        "0",
        "-1",
        "1e309",
        "NaN",
        "None",
        "null",
        "true",
        "[]",
        "{}",
        "{link}",
        "{",
        "}}{{",
        "%s%d%(x)s",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        '"',
        "\\",
        "../..",
        "=cmd|' /C calc'!A0",
        "İ",
        "ß",
        "\U0001f600",
        "e\u0301",
    ]
)


def long_text(max_repeat: int = 12_000) -> st.SearchStrategy[str]:
    """A short piece repeated: past the forms' length limits without slow generation."""
    return st.builds(
        lambda piece, times: piece * times,
        st.text(ANY_CHARACTER, min_size=1, max_size=4),
        st.integers(min_value=100, max_value=max_repeat),
    )


def nasty_text(max_size: int = 40, max_repeat: int = 12_000) -> st.SearchStrategy[str]:
    """Any text, often with control characters, sometimes very long."""
    return st.one_of(
        TRICKY,
        st.text(ANY_CHARACTER, max_size=max_size),
        st.text(st.one_of(ANY_CHARACTER, ANY_CHARACTER, CONTROL_CHARACTER), max_size=max_size),
        long_text(max_repeat),
    )


@st.composite
def mostly(draw, good: st.SearchStrategy, other: st.SearchStrategy, times: int = 4):
    """`good` about `times` times as often as `other`."""
    return draw(good if draw(st.integers(0, times)) < times else other)


def field_values(good: st.SearchStrategy[str]) -> st.SearchStrategy:
    """A form field sent once (a value, mostly a good one) or repeated (a list)."""
    value = mostly(good, nasty_text(), 3)
    return mostly(value, st.lists(value, min_size=2, max_size=3))


SAFE_CODE = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=32)
