"""Replay seeks and the timeline's state equal a straight fold, whatever the checkpoints."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.clock import FrozenClock
from cockpit.domain.fold import Folder, fold
from cockpit.domain.timeline import build_timeline
from cockpit.log.delta import ObservationRecorder
from cockpit.log.events import Event, NoteAdded
from cockpit.log.player import Player
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.session import ReplaySession
from cockpit.sources.base import Snapshot

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
SPAN_S = 600


def write_log(path: Path) -> list[Event]:
    """Ten minutes of alert and lag observations every 2 s, a note every 30 s."""
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    recorder = ObservationRecorder()
    with log:
        for n in range(SPAN_S // 2):
            clock.advance(2.0)
            alerts = tuple(
                {"key": f"a{i}", "name": f"A{i}", "state": "firing", "value": (n // 7 + i) % 5}
                for i in range(4)
            )
            lags = tuple({"key": f"g{i}", "group": f"g{i}", "lag": n * i} for i in range(3))
            log.append(recorder.record(Snapshot("am", "alerts", alerts, 3.0), clock.now()))
            log.append(recorder.record(Snapshot("prom", "kafka", lags, 2.0), clock.now()))
            if n % 15 == 0:
                log.append(NoteAdded(note_id=f"n{n}", text=f"note {n}", author="ana"))
    return [record.event for record in LogReader(path)]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Event]]:
    path = tmp_path_factory.mktemp("replay") / "inc.jsonl"
    return path, write_log(path)


def straight(events: list[Event], when: datetime) -> object:
    return fold([e for e in events if e.ts <= when])


def partial_player(path: Path, stop_after_seq: int) -> Player:
    """A player whose background fold stopped at `stop_after_seq` (checkpoints up to it)."""
    stop = threading.Event()

    class Stopping(Folder):
        def apply(self, event: Event) -> None:
            super().apply(event)
            if event.seq >= stop_after_seq:
                stop.set()

    player = Player(path, Stopping, clock=FrozenClock(T0), checkpoint_every=50)
    player.build_checkpoints(stop)
    assert not player.background.done
    return player


offsets = st.lists(st.floats(-5, SPAN_S + 10), min_size=1, max_size=4)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offsets)
def test_seeks_with_all_checkpoints_equal_a_straight_fold(
    recorded: tuple[Path, list[Event]], seconds: list[float]
) -> None:
    path, events = recorded
    player = Player(path, Folder, clock=FrozenClock(T0), checkpoint_every=50)
    player.build_checkpoints()
    assert player.background.done
    for s in seconds:
        when = T0 + timedelta(seconds=s)
        player.seek(when)
        assert player.fold.state == straight(events, when)  # type: ignore[attr-defined]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(60, 500), offsets)
def test_seeks_with_checkpoints_partly_built_equal_a_straight_fold(
    recorded: tuple[Path, list[Event]], stop_at: int, seconds: list[float]
) -> None:
    path, events = recorded
    player = partial_player(path, stop_at)
    for s in seconds:
        when = T0 + timedelta(seconds=s)
        prepared = player.prepare_seek(when, player.here())  # what the worker does
        player.adopt(prepared)
        assert player.fold.state == straight(events, when)  # type: ignore[attr-defined]
        assert player.virtual_time == when


def test_a_seek_restores_the_nearest_checkpoint(recorded: tuple[Path, list[Event]]) -> None:
    path, events = recorded
    applied = 0

    class Counting(Folder):
        def apply(self, event: Event) -> None:
            nonlocal applied
            applied += 1
            super().apply(event)

    player = Player(path, Counting, clock=FrozenClock(T0), checkpoint_every=50)
    player.build_checkpoints()
    applied = 0
    player.seek(T0 + timedelta(seconds=500))
    assert 0 < applied <= 50  # not a refold from the start
    player.seek(T0 + timedelta(seconds=100))  # backwards
    assert applied <= 100
    assert player.fold.state == straight(events, T0 + timedelta(seconds=100))


def test_playing_on_after_a_seek_matches_a_straight_fold(
    recorded: tuple[Path, list[Event]],
) -> None:
    path, events = recorded
    player = partial_player(path, 300)
    player.seek(T0 + timedelta(seconds=400))
    player.play()
    player.advance(30.0)
    assert player.fold.state == straight(events, T0 + timedelta(seconds=430))  # type: ignore[attr-defined]


def test_timeline_state_comes_from_the_background_fold(
    recorded: tuple[Path, list[Event]],
) -> None:
    path, events = recorded
    session = ReplaySession(path, FrozenClock(T0))
    assert not session.whole_log_complete
    assert session.whole_log_state() == session.state  # nothing folded yet: the playhead
    session.player.start_background().join(60)
    assert session.whole_log_complete
    whole = session.whole_log_state()
    assert whole == fold(events)
    assert list(build_timeline(whole)) == list(build_timeline(fold(events)))
    assert session.player.position.total == events[-1].seq
    assert session.state != whole  # the playhead still stands at the start


def test_a_seek_during_the_background_fold_equals_a_straight_fold(
    recorded: tuple[Path, list[Event]],
) -> None:
    path, events = recorded
    player = Player(path, Folder, clock=FrozenClock(T0), checkpoint_every=50)
    thread = player.start_background()
    when = T0 + timedelta(seconds=SPAN_S - 30)
    player.adopt(player.prepare_seek(when, player.here()))  # may wait for the fold to pass
    assert player.fold.state == straight(events, when)  # type: ignore[attr-defined]
    thread.join(30)
    assert player.background.done
