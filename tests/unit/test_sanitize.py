"""The sanitiser removes every escape sequence and control character from outside text."""

from __future__ import annotations

import re

import pytest
from hostile_corpus import load as load_corpus
from hypothesis import given
from hypothesis import strategies as st

from cockpit.sanitize import clean

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_strings() -> list[str]:
    data = load_corpus()
    return [s for key, values in data.items() if key != "about" for s in values]


@pytest.mark.parametrize("text", hostile_strings())
def test_hostile_strings_come_out_inert(text: str) -> None:
    out = clean(text)
    assert not UNSAFE.search(out)


def test_visible_text_survives() -> None:
    assert clean("\x1b[31mRED\x1b[0m") == "RED"
    assert clean("\x1b]8;;https://evil.invalid\x07click me\x1b]8;;\x07") == "click me"
    assert clean("テナント名🔥") == "テナント名🔥"
    assert clean("a\tb\nc") == "a\tb\nc"


def test_single_line_and_length_cap() -> None:
    assert clean("a\nb\tc", single_line=True) == "a b c"
    assert clean("x" * 50, max_len=10) == "x" * 9 + "…"


@given(st.text())
def test_never_leaves_a_control_character(text: str) -> None:
    assert not UNSAFE.search(clean(text))
