"""Channel names follow `#inc-YYYYMMDD-short-name` whatever the title holds."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cockpit.domain.channel import channel_name, incident_id, slug

WHEN = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)


def test_channel_from_title() -> None:
    assert channel_name("Connections exhausted on the primary DB", WHEN) == (
        "#inc-20261123-connections-exhausted"
    )


def test_accents_and_symbols_fold() -> None:
    assert slug("Échec dépôt IDES (FATCA)!") == "echec-depot-ides-fatca"


def test_empty_or_hostile_titles_still_give_a_name() -> None:
    assert slug("") == "incident"
    assert slug("\x1b[2J[/]") == "2j"
    assert incident_id("", WHEN) == "INC-20261123-0312-incident"


@given(st.text())
def test_slug_is_always_channel_safe(title: str) -> None:
    value = slug(title)
    assert 1 <= len(value) <= 24
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in value)
    assert not value.startswith("-") and not value.endswith("-")
