"""`stale_in`: when a healthy source turns stale if nothing more arrives (the tick's deadline)."""

from __future__ import annotations

from test_fold_support import Log, at

from cockpit.domain.fold import fold
from cockpit.domain.thresholds import Thresholds
from cockpit.domain.views import STALE, first_stale_in, source_status, stale_in
from cockpit.log.events import SourceFailed, SourcePolled


def _polled() -> Log:
    log = Log()
    log.add(SourcePolled("pg", 3.0), 0.0)
    return log


def test_a_fresh_source_turns_stale_exactly_when_its_status_says_so() -> None:
    state = fold(_polled().events)
    left = stale_in(state, "pg", at(1.5), 2.0)
    assert left == 2.5  # stale factor 2 x 2 s, 1.5 s gone
    assert left is not None
    assert source_status(state, "pg", at(1.5 + left), 2.0).status != STALE  # not yet
    later = at(1.5 + left + 0.01)
    assert source_status(state, "pg", later, 2.0).status == STALE
    assert stale_in(state, "pg", later, 2.0) is None  # already stale: no deadline ahead


def test_the_thresholds_move_the_deadline() -> None:
    state = fold(_polled().events)
    assert stale_in(state, "pg", at(0), 2.0, Thresholds(stale_factor=3.0)) == 6.0


def test_time_alone_changes_nothing_for_a_failed_or_unknown_source() -> None:
    log = _polled()
    log.add(SourceFailed("pg", "connect", "refused", 3.0), 1.0)
    state = fold(log.events)
    assert stale_in(state, "pg", at(1.0), 2.0) is None
    assert stale_in(state, "kafka", at(1.0), 2.0) is None


def test_the_first_source_to_turn_stale_sets_the_deadline() -> None:
    log = _polled()
    log.add(SourcePolled("prom", 3.0), 1.0)
    log.add(SourceFailed("kafka", "connect", "refused", 3.0), 1.0)
    state = fold(log.events)
    sources = [("pg", 2.0), ("prom", 10.0), ("kafka", 2.0)]
    assert first_stale_in(state, sources, at(1.0)) == 3.0  # pg: 4 s after 0; prom: 20 after 1
    assert first_stale_in(state, [("kafka", 2.0)], at(1.0)) is None
