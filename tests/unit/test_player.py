"""The replay player: virtual clock, speed, steps, seeks that restore checkpoints."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cockpit.clock import FrozenClock
from cockpit.log.events import Event, NoteAdded, SourcePolled
from cockpit.log.index import LogIndex
from cockpit.log.player import Player
from cockpit.log.store import IncidentLog

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


class Seqs:
    """A trivial fold: the seqs applied, and a global count of apply calls."""

    applied = 0

    def __init__(self) -> None:
        self.seqs: list[int] = []

    def apply(self, event: Event) -> None:
        Seqs.applied += 1
        self.seqs.append(event.seq)

    def checkpoint(self) -> object:
        return tuple(self.seqs)

    def restore(self, checkpoint: object) -> None:
        assert isinstance(checkpoint, tuple)
        self.seqs = list(checkpoint)


def build_log(path: Path, events: int, every: float = 1.0) -> None:
    """Events 1 s apart; every 10th one is a human note, the others source polls."""
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock)
    with log:
        for i in range(2, events + 1):
            clock.advance(every)
            if i % 10 == 0:
                log.append(NoteAdded(note_id=f"n{i}", text="t", author="a"))
            else:
                log.append(SourcePolled(source="prom", duration_ms=3.0))


def make(
    tmp_path: Path, events: int = 100, checkpoint_every: int = 1000
) -> tuple[Player, FrozenClock]:
    path = tmp_path / "inc.jsonl"
    build_log(path, events)
    clock = FrozenClock(T0)
    return Player(path, Seqs, clock=clock, checkpoint_every=checkpoint_every), clock


def seqs(player: Player) -> list[int]:
    fold = player.fold
    assert isinstance(fold, Seqs)
    return fold.seqs


def test_opens_on_the_first_state(tmp_path: Path) -> None:
    player, _ = make(tmp_path)
    pos = player.position
    assert seqs(player) == [1] and pos.seq == 1 and pos.virtual_time == T0
    assert not pos.playing and not pos.at_end and pos.error is None


def test_advance_applies_due_events_at_speed(tmp_path: Path) -> None:
    player, _ = make(tmp_path)
    assert player.advance(5) == []  # paused: nothing moves
    player.play()
    player.set_speed(4)
    applied = player.advance(2.5)
    assert [e.seq for e in applied] == list(range(2, 12))
    assert player.position.virtual_time == T0 + timedelta(seconds=10)
    with pytest.raises(ValueError):
        player.set_speed(65)


def test_tick_uses_the_injected_clock_and_stops_at_the_end(tmp_path: Path) -> None:
    player, clock = make(tmp_path, 20)
    player.play()
    clock.advance(3)
    assert [e.seq for e in player.tick()] == [2, 3, 4]
    clock.advance(100)
    player.tick()
    pos = player.position
    assert pos.at_end and not pos.playing and pos.seq == 20
    assert pos.virtual_time == T0 + timedelta(seconds=19)


def test_step_and_step_human(tmp_path: Path) -> None:
    player, _ = make(tmp_path)
    event = player.step()
    assert event is not None and event.seq == 2
    human = player.step_human()
    assert human is not None and human.seq == 10 and human.type == "note.added"
    assert seqs(player) == list(range(1, 11))
    assert player.position.virtual_time == T0 + timedelta(seconds=9)


def test_seek_backwards_restores_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 1000)
    index = LogIndex(path, every_bytes=8192, cache=False).start()
    player = Player(path, Seqs, clock=FrozenClock(T0), index=index, checkpoint_every=100)
    player.start_background().join(30)
    player.seek(T0 + timedelta(seconds=900))
    assert seqs(player) == list(range(1, 902))
    Seqs.applied = 0
    player.seek(T0 + timedelta(seconds=450))
    assert seqs(player) == list(range(1, 452))
    assert Seqs.applied <= 100  # from the checkpoint at seq 400, not from the start
    assert index.wait(5) and player.position.total == 1000


def test_a_forward_seek_folds_on_from_the_playhead(tmp_path: Path) -> None:
    """No checkpoint in between: the playing fold goes on (no copy, nothing read twice) and
    ends where a seek from a copy would; backwards, a fresh fold from a checkpoint."""
    player, _ = make(tmp_path)
    fold = player.fold
    Seqs.applied = 0
    player.seek(T0 + timedelta(seconds=30))
    assert player.fold is fold and seqs(player) == list(range(1, 32)) and Seqs.applied == 30
    pos = player.position
    assert pos.virtual_time == T0 + timedelta(seconds=30) and pos.seq == 31
    step = player.step()
    assert step is not None and step.seq == 32
    player.seek(T0 + timedelta(seconds=10))
    assert player.fold is not fold and seqs(player) == list(range(1, 12))


def test_background_checkpoints_make_forward_seeks_cheap(tmp_path: Path) -> None:
    player, _ = make(tmp_path, 1000, checkpoint_every=100)
    Seqs.applied = 0
    assert player.build_checkpoints() == 1000
    Seqs.applied = 0
    player.seek(T0 + timedelta(seconds=870))
    assert seqs(player) == list(range(1, 872))
    assert Seqs.applied <= 100


def test_replay_stops_at_damage_with_an_error(tmp_path: Path) -> None:
    path = tmp_path / "inc.jsonl"
    build_log(path, 30)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:20]) + b"garbage\n" + b"".join(lines[21:]))
    player = Player(path, Seqs, clock=FrozenClock(T0))
    player.seek(T0 + timedelta(hours=1))
    pos = player.position
    assert pos.seq == 20 and pos.at_end
    assert pos.error is not None and pos.error.startswith("line 21")


def test_the_background_fold_calls_its_courtesy_as_it_goes(tmp_path: Path) -> None:
    from cockpit.log.player import COURTESY_EVERY

    player, _ = make(tmp_path, 1000, checkpoint_every=100)
    calls: list[int] = []
    assert player.build_checkpoints(courtesy=lambda: calls.append(Seqs.applied)) == 1000
    assert len(calls) == 1000 // COURTESY_EVERY
    assert calls == sorted(calls) and calls[0] >= COURTESY_EVERY


def test_the_background_fold_resumes_where_the_startup_seek_stopped(tmp_path: Path) -> None:
    """`replay --at`: the seek folds forward from the start and keeps checkpoints as it
    goes; the background fold then reads only what is after the playhead."""
    player, _ = make(tmp_path, 1000, checkpoint_every=100)
    player.seek(T0 + timedelta(seconds=950))
    start = player.resume_point()
    assert start.seq == 951 == player.seq
    Seqs.applied = 0
    assert player.build_checkpoints(start=start) == 49 == Seqs.applied
    assert player.background.done and player.position.total == 1000
    Seqs.applied = 0
    player.seek(T0 + timedelta(seconds=450))  # back: from the startup seek's checkpoint at 400
    assert seqs(player) == list(range(1, 452))
    assert Seqs.applied <= 100


def test_a_gap_in_the_checkpoints_is_neither_covered_nor_skipped(tmp_path: Path) -> None:
    """A seek folded in a worker keeps no checkpoints: the playing fold's next one, past the
    gap, must not make a seek into the gap look cheap, and the background fold starts
    before it."""
    player, _ = make(tmp_path, 1000, checkpoint_every=100)
    player.adopt(player.prepare_seek(T0 + timedelta(seconds=500), player.here()))
    player.seek(T0 + timedelta(seconds=750))  # forward: keeps checkpoints at 600 and 700
    assert player.covered(T0 + timedelta(seconds=620))
    assert not player.covered(T0 + timedelta(seconds=300))
    assert player.resume_point().seq == 0
    Seqs.applied = 0
    assert player.build_checkpoints(start=player.resume_point()) == 1000
    assert player.covered(T0 + timedelta(seconds=300))
    player.seek(T0 + timedelta(seconds=300))
    assert seqs(player) == list(range(1, 302))


def test_the_playhead_copied_from_another_thread_is_taken_between_two_events(
    tmp_path: Path,
) -> None:
    """The replay's background thread copies the playing fold (a big state took the UI
    thread 25-60 ms to copy): each copy is whole, its seqs ending at its own seq."""
    player, _clock = make(tmp_path, events=600)
    copies: list[object] = []
    done = threading.Event()

    def copy_while_playing() -> None:
        while not done.is_set():
            copies.append(player.here())

    other = threading.Thread(target=copy_while_playing)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # the threads take turns often: an unguarded copy is caught
    other.start()
    try:
        while player.step() is not None:
            pass
    finally:
        done.set()
        other.join()
        sys.setswitchinterval(switch)
    assert len(copies) > 1
    for cp in copies:
        assert cp is not None
        seqs = cp.state  # type: ignore[attr-defined]
        assert seqs == tuple(range(1, cp.seq + 1))  # type: ignore[attr-defined]
