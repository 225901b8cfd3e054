"""The command-line time parser: RFC 3339, T+ offsets from a log's start, relative times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cockpit.domain.when import TimeError, parse_time, parse_window

ORIGIN = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)
NOW = datetime(2025, 3, 13, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-12T14:45:00Z", datetime(2025, 3, 12, 14, 45, tzinfo=UTC)),
        ("2025-03-12T16:45:00+02:00", datetime(2025, 3, 12, 14, 45, tzinfo=UTC)),
        ("T+05:30", ORIGIN + timedelta(minutes=5, seconds=30)),
        ("t+1:02:03", ORIGIN + timedelta(hours=1, minutes=2, seconds=3)),
        ("now", NOW),
        ("-30m", NOW - timedelta(minutes=30)),
        ("-1h30m", NOW - timedelta(hours=1, minutes=30)),
        ("now-2d", NOW - timedelta(days=2)),
        (" -90s ", NOW - timedelta(seconds=90)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_time(text, origin=ORIGIN, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("yesterday", "not a time"),
        ("2025-03-12T14:45:00", "not a time"),  # no zone: ambiguous on a bastion
        ("T+5", "mm:ss"),
        ("T+aa:bb", "mm:ss"),
        ("-", "not a time"),
        ("-30x", "not a time"),
    ],
)
def test_refused_forms_name_the_accepted_ones(text: str, says: str) -> None:
    with pytest.raises(TimeError, match=says) as caught:
        parse_time(text, origin=ORIGIN, now=NOW)
    assert "RFC 3339" in str(caught.value) or "T+" in str(caught.value)


def test_t_plus_without_a_log_is_refused() -> None:
    with pytest.raises(TimeError, match="first event"):
        parse_time("T+01:00", origin=None, now=NOW)


def test_window_must_run_forwards() -> None:
    window = parse_window("T+01:00", "T+11:00", origin=ORIGIN, now=NOW)
    assert window.seconds == 600.0 and ORIGIN + timedelta(minutes=5) in window
    assert ORIGIN not in window
    with pytest.raises(TimeError, match="start before it ends"):
        parse_window("-10m", "-30m", origin=None, now=NOW)
    with pytest.raises(TimeError, match="start before it ends"):
        parse_window("now", "now", origin=None, now=NOW)
