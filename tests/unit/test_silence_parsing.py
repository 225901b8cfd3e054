"""The silence dialog's text: matchers round-trip, durations parse, bad drafts are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cockpit.actions.silences import (
    Matcher,
    SilenceDraft,
    check_draft,
    matcher_text,
    matchers_from_labels,
    parse_duration,
    parse_matchers,
)


def test_matchers_round_trip_with_quotes_and_backslashes() -> None:
    matchers = matchers_from_labels({"alertname": "A", "path": 'C:\\tmp "x"', "b": "[/]"})
    text = matcher_text(matchers)
    assert text == 'alertname="A", b="[/]", path="C:\\\\tmp \\"x\\""'
    assert parse_matchers(text) == matchers
    assert parse_matchers('a=~"x.*", b!="", c!~"y"') == (
        Matcher("a", "x.*", regex=True), Matcher("b", "", equal=False),
        Matcher("c", "y", regex=True, equal=False))  # fmt: skip


@pytest.mark.parametrize("text", ["a=b", 'a="x" b="y"', '1a="x"', 'a="open'])
def test_unreadable_matchers_are_named(text: str) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_matchers(text)


def test_durations() -> None:
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("1d 12h30m") == timedelta(days=1, hours=12, minutes=30)
    for bad in ("", "2", "2x", "h2", "-1h"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)


def test_drafts_that_cannot_be_sent() -> None:
    one = (Matcher("alertname", "A"),)
    hour = timedelta(hours=1)
    assert check_draft(SilenceDraft(one, hour, "rolling back")) is None
    assert "at least one matcher" in (check_draft(SilenceDraft((), hour, "x")) or "")
    everything = (Matcher("alertname", ".*", regex=True),)
    assert "silences everything" in (check_draft(SilenceDraft(everything, hour, "x")) or "")
    assert "comment is required" in (check_draft(SilenceDraft(one, hour, " ")) or "")
    assert "between" in (check_draft(SilenceDraft(one, timedelta(days=8), "x")) or "")
