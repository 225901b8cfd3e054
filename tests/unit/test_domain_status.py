"""Source status from health and an explicit `now`: ok, stale, partial, failed, never."""

from __future__ import annotations

from test_fold_support import Log, at

from cockpit.domain.fold import fold
from cockpit.domain.thresholds import Thresholds
from cockpit.domain.views import FAILED, NEVER, OK, PARTIAL, STALE, source_status
from cockpit.log import events as ev


def _state(*payloads: tuple[ev.Payload, float]) -> Log:
    log = Log()
    for payload, seconds in payloads:
        log.add(payload, seconds)
    return log


def test_never_polled() -> None:
    status = source_status(fold([]), "prom", at(0), 2.0)
    assert (status.status, status.age_s, status.error) == (NEVER, None, "")


def test_ok_then_stale_after_twice_the_refresh() -> None:
    state = fold(_state((ev.SourcePolled("prom", 30.0), 0)).events)
    ok = source_status(state, "prom", at(4), 2.0)
    assert (ok.status, ok.age_s, ok.duration_ms) == (OK, 4, 30.0)
    stale = source_status(state, "prom", at(4.5), 2.0)
    assert stale.status == STALE
    assert "4 s" in stale.error or "5 s" in stale.error
    lenient = source_status(state, "prom", at(4.5), 2.0, Thresholds(stale_factor=3))
    assert lenient.status == OK


def test_partial_when_the_poll_warned() -> None:
    state = fold(_state((ev.SourcePolled("prom", 1.0, warnings=("w1", "w2\x1b[2J")), 0)).events)
    status = source_status(state, "prom", at(1), 2.0)
    assert (status.status, status.error) == (PARTIAL, "w1; w2")


def test_failed_beats_stale_and_keeps_the_data_age() -> None:
    log = _state(
        (ev.SourcePolled("pg", 1.0), 0),
        (ev.SourceFailed("pg", "timeout", "statement timeout\nafter 3 s", 3000.0), 10),
        (ev.SourceFailed("pg", "timeout", "statement timeout after 3 s", 3000.0), 12),
    )
    status = source_status(fold(log.events), "pg", at(20), 2.0)
    assert (status.status, status.age_s, status.consecutive_failures) == (FAILED, 20, 2)
    assert status.error == "timeout: statement timeout after 3 s"


def test_failed_before_any_success_has_no_age() -> None:
    log = _state((ev.SourceFailed("k8s", "auth", "401", 5.0), 0))
    status = source_status(fold(log.events), "k8s", at(1), 2.0)
    assert (status.status, status.age_s) == (FAILED, None)


def test_recovery_returns_to_ok() -> None:
    log = _state(
        (ev.SourceFailed("am", "connect", "refused", 1.0), 0),
        (ev.SourcePolled("am", 1.0), 5),
    )
    assert source_status(fold(log.events), "am", at(6), 2.0).status == OK
