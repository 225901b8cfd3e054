"""The replay's background fold steps aside while the UI thread has work (keys, repaints)."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from pathlib import Path

from bench.scale import START, write_big_log
from cockpit.clock import FrozenClock, parse_rfc3339
from cockpit.domain.fold import Folder
from cockpit.log.player import COURTESY_BYTES, COURTESY_EVERY, Player
from cockpit.log.reader import LogReader
from cockpit.screens.foreground import awaited, busy, wait_until_idle
from screens.transport import YIELD_AT_MOST_S, ui_first


def _timed(courtesy: object) -> float:
    assert callable(courtesy)
    start = time.monotonic()
    courtesy()
    return time.monotonic() - start


def test_the_fold_goes_on_while_the_ui_thread_waits_for_input() -> None:
    _idle_ui_check(pane_waiting=False)


def test_the_fold_sleeps_while_a_pane_waits_for_its_rows_even_with_an_idle_ui() -> None:
    _idle_ui_check(pane_waiting=True)


def _idle_ui_check(pane_waiting: bool) -> None:
    left, right = socket.socketpair()
    waiting = threading.Event()

    def idle_loop() -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(left, selectors.EVENT_READ)
            waiting.set()
            selector.select(10)

    ui = threading.Thread(target=idle_loop, daemon=True)
    ui.start()
    try:
        assert waiting.wait(5)
        time.sleep(0.05)  # inside select by now
        pane = object()
        awaited(pane, pane_waiting)
        try:
            if pane_waiting:
                assert _timed(ui_first(ui)) >= YIELD_AT_MOST_S * 0.9
            else:
                assert _timed(ui_first(ui)) < YIELD_AT_MOST_S / 2
        finally:
            awaited(pane, False)
    finally:
        right.send(b"x")
        ui.join(5)
        left.close()
        right.close()


def test_the_fold_sleeps_while_the_ui_thread_runs_code() -> None:
    done = threading.Event()

    def busy() -> None:
        while not done.is_set():
            sum(range(1000))

    ui = threading.Thread(target=busy, daemon=True)
    ui.start()
    try:
        assert _timed(ui_first(ui)) >= YIELD_AT_MOST_S * 0.9
    finally:
        done.set()
        ui.join(5)


def test_a_finished_ui_thread_never_holds_the_fold() -> None:
    gone = threading.Thread(target=lambda: None)
    gone.start()
    gone.join()
    assert _timed(ui_first(gone)) < YIELD_AT_MOST_S / 2


def test_the_fold_starts_when_the_panes_have_their_rows_or_after_a_bound() -> None:
    pane, stop = object(), threading.Event()
    awaited(pane, True)
    assert busy()
    assert 0.08 <= _timed(lambda: wait_until_idle(stop, 0.1)) < 1.0  # a pane gone silent
    threading.Timer(0.05, awaited, (pane, False)).start()
    assert _timed(lambda: wait_until_idle(stop, 5.0)) < 1.0  # released: it starts at once
    assert not busy()
    awaited(pane, True)
    stop.set()  # the replay closes: no wait at all
    assert _timed(lambda: wait_until_idle(stop, 5.0)) < 0.05
    awaited(pane, False)


def test_the_fold_offers_its_courtesy_after_each_big_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    write_big_log(path, 3_000, 10, 10)  # a dozen events, one alerts line of about 800 KiB
    player = Player(path, Folder, clock=FrozenClock(parse_rfc3339(START)))
    big = [r.size for r in LogReader(path) if r.size >= COURTESY_BYTES]
    calls: list[int] = []
    assert player.build_checkpoints(courtesy=lambda: calls.append(1)) < COURTESY_EVERY
    assert big and len(calls) == len(big)  # every 32 events only: never in such a log
