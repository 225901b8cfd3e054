"""The poll scheduler: cadence, no overlap, backoff with Retry-After, clean stop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cockpit.sources.base import Snapshot, SourceError
from cockpit.sources.scheduler import STILL_RUNNING, PollScheduler, next_delay


def snap(name: str = "fake") -> Snapshot:
    return Snapshot(source=name, kind="alerts", items=(), duration_ms=1.0)


class FakeTime:
    """A monotonic clock that only moves when the scheduler sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class Scripted:
    """A source returning (or raising) scripted outcomes, then successes."""

    kind = "alerts"

    def __init__(self, name: str, outcomes: list[Any], hold_s: float = 0.0) -> None:
        self.name = name
        self.outcomes = list(outcomes)
        self.hold_s = hold_s
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.closed = False

    async def poll(self) -> Snapshot:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hold_s:
                await asyncio.sleep(self.hold_s)
            outcome = self.outcomes.pop(0) if self.outcomes else snap(self.name)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome  # type: ignore[no-any-return]
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        self.closed = True


class Recorder:
    def __init__(self, want: int) -> None:
        self.results: list[tuple[str, Any, float]] = []
        self.want = want
        self.done = asyncio.Event()

    def __call__(self, name: str, result: Any, started: float) -> None:
        self.results.append((name, result, started))
        if len(self.results) >= self.want:
            self.done.set()


async def run_until(scheduler: PollScheduler, recorder: Recorder, limit: float = 2.0) -> None:
    scheduler.start()
    try:
        await asyncio.wait_for(recorder.done.wait(), limit)
    finally:
        await scheduler.stop()


def test_next_delay() -> None:
    assert next_delay(2.0, 0, None, 60.0) == 2.0
    assert [next_delay(2.0, n, None, 60.0) for n in range(1, 7)] == [4, 8, 16, 32, 60, 60]
    assert next_delay(2.0, 1, 45.0, 60.0) == 45.0
    assert next_delay(2.0, 1, 0.5, 60.0) == 4.0
    assert next_delay(2.0, 1, 1e9, 60.0) == 900.0
    assert next_delay(120.0, 3, None, 60.0) == 120.0  # the cap never undercuts the interval


async def test_successes_keep_the_interval_and_report_start_times() -> None:
    time = FakeTime()
    recorder = Recorder(want=4)
    scheduler = PollScheduler(recorder, sleep=time.sleep, clock=time.clock)
    scheduler.add(Scripted("am", []), 2.0)
    await run_until(scheduler, recorder)
    assert time.sleeps[:3] == [2.0, 2.0, 2.0]
    assert [r[0] for r in recorder.results[:4]] == ["am"] * 4
    assert [r[2] for r in recorder.results[:4]] == [100.0, 102.0, 104.0, 106.0]
    assert all(isinstance(r[1], Snapshot) for r in recorder.results)


async def test_errors_back_off_exponentially_and_reset_on_success() -> None:
    time = FakeTime()
    errors = [SourceError("http", "HTTP 503") for _ in range(6)]
    recorder = Recorder(want=8)
    scheduler = PollScheduler(recorder, sleep=time.sleep, clock=time.clock, max_backoff_s=60)
    scheduler.add(Scripted("prom", errors), 2.0)
    await run_until(scheduler, recorder)
    assert time.sleeps[:8] == [4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 2.0, 2.0]
    assert [type(r[1]).__name__ for r in recorder.results[:7]] == ["SourceError"] * 6 + ["Snapshot"]
    assert scheduler.failures("prom") == 0


async def test_retry_after_is_honoured() -> None:
    time = FakeTime()
    recorder = Recorder(want=2)
    scheduler = PollScheduler(recorder, sleep=time.sleep, clock=time.clock)
    limited = SourceError("rate_limited", "HTTP 429", retry_after_s=45.0)
    scheduler.add(Scripted("pd", [limited]), 2.0)
    await run_until(scheduler, recorder)
    assert time.sleeps[0] == 45.0


async def test_polls_of_one_source_never_overlap_even_when_refreshed() -> None:
    recorder = Recorder(want=5)
    scheduler = PollScheduler(recorder)
    slow = Scripted("pg", [], hold_s=0.03)
    scheduler.add(slow, 0.01)
    scheduler.start()
    for _ in range(20):
        scheduler.refresh()
        await asyncio.sleep(0.005)
    await asyncio.wait_for(recorder.done.wait(), 2.0)
    await scheduler.stop()
    assert slow.calls >= 3
    assert slow.max_in_flight == 1


async def test_a_slow_source_does_not_delay_another() -> None:
    recorder = Recorder(want=10_000)
    scheduler = PollScheduler(recorder)
    scheduler.add(Scripted("slow", [], hold_s=10.0), 1.0)
    scheduler.add(Scripted("fast", []), 0.01)
    scheduler.start()
    await asyncio.sleep(0.3)
    await scheduler.stop()
    names = [r[0] for r in recorder.results]
    assert names.count("fast") >= 5 and "slow" not in names


async def test_unexpected_exceptions_and_failing_callbacks_do_not_stop_polling() -> None:
    time = FakeTime()
    seen: list[Any] = []
    done = asyncio.Event()

    async def on_result(name: str, result: Any, started: float) -> None:
        seen.append(result)
        if len(seen) == 3:
            done.set()
        raise RuntimeError("consumer bug")

    scheduler = PollScheduler(on_result, sleep=time.sleep, clock=time.clock)
    scheduler.add(Scripted("k", [ValueError("\x1b[2Jlag")]), 1.0)
    scheduler.start()
    await asyncio.wait_for(done.wait(), 2.0)
    await scheduler.stop()
    assert isinstance(seen[0], SourceError)
    assert seen[0].kind == "parse"
    assert seen[0].message == "unexpected ValueError: lag"
    assert isinstance(seen[1], Snapshot)


async def test_busy_source_is_not_polled_again() -> None:
    time = FakeTime()
    recorder = Recorder(want=2)
    source = Scripted("postgres", [])
    source.busy = True  # type: ignore[attr-defined]
    scheduler = PollScheduler(recorder, sleep=time.sleep, clock=time.clock)
    scheduler.add(source, 2.0)
    await run_until(scheduler, recorder)
    assert source.calls == 0
    error = recorder.results[0][1]
    assert isinstance(error, SourceError) and error.message == STILL_RUNNING


async def test_stop_cancels_a_poll_in_progress_and_closes_sources() -> None:
    recorder = Recorder(want=1)
    stuck = Scripted("stuck", [], hold_s=60.0)
    scheduler = PollScheduler(recorder)
    scheduler.add(stuck, 1.0)
    scheduler.start()
    await asyncio.sleep(0.05)
    assert stuck.in_flight == 1
    await asyncio.wait_for(scheduler.stop(), 1.0)
    assert stuck.in_flight == 0 and stuck.closed
    assert not scheduler.running and recorder.results == []


async def test_refresh_wakes_a_sleeping_source_but_not_a_rate_limited_one() -> None:
    recorder = Recorder(want=10_000)
    scheduler = PollScheduler(recorder)
    normal = Scripted("normal", [])
    limited = Scripted("limited", [SourceError("rate_limited", "429", retry_after_s=60)])
    scheduler.add(normal, 60.0)
    scheduler.add(limited, 60.0)
    scheduler.start()
    await asyncio.sleep(0.05)
    scheduler.refresh()
    await asyncio.sleep(0.05)
    await scheduler.stop()
    assert (normal.calls, limited.calls) == (2, 1)


def test_bad_registrations_are_refused() -> None:
    scheduler = PollScheduler(lambda *a: None)
    scheduler.add(Scripted("a", []), 1.0)
    with pytest.raises(ValueError, match="two sources are named 'a'"):
        scheduler.add(Scripted("a", []), 1.0)
    with pytest.raises(ValueError, match="must be > 0"):
        scheduler.add(Scripted("b", []), 0)
