"""The 1 Hz tick: repeats, is pushed back by a render, stops, and hands on its errors."""

from __future__ import annotations

import asyncio

from cockpit.ticker import Ticker


async def test_it_repeats_until_stopped() -> None:
    calls: list[int] = []
    ticker = Ticker(0.02, lambda: calls.append(1), lambda exc: None)
    ticker.start()
    await asyncio.sleep(0.11)
    ticker.stop()
    seen = len(calls)
    assert 2 <= seen <= 5  # 0.11 s holds at most five intervals of 0.02 s
    await asyncio.sleep(0.06)
    assert len(calls) == seen and not ticker.running


async def test_a_deferral_pushes_the_next_call_a_full_interval_away() -> None:
    calls: list[int] = []
    ticker = Ticker(0.2, lambda: calls.append(1), lambda exc: None)
    ticker.start()
    for _ in range(6):  # a render every 50 ms: the tick, every 200 ms, never comes due
        await asyncio.sleep(0.05)
        ticker.defer()
    assert calls == []
    await asyncio.sleep(0.3)
    assert len(calls) == 1
    ticker.stop()


async def test_an_error_goes_to_the_handler_and_the_ticks_go_on() -> None:
    errors: list[Exception] = []
    calls: list[int] = []

    def boom() -> None:
        calls.append(1)
        raise ValueError("bad tick")

    ticker = Ticker(0.02, boom, errors.append)
    ticker.start()
    await asyncio.sleep(0.07)
    ticker.stop()
    assert len(calls) >= 2 and len(errors) == len(calls)
    assert str(errors[0]) == "bad tick"


def test_a_deferral_before_start_does_nothing() -> None:
    ticker = Ticker(1.0, lambda: None, lambda exc: None)
    ticker.defer()  # no running loop needed: not started
    assert not ticker.running


async def test_the_callback_sets_how_long_until_the_next_call() -> None:
    calls: list[float] = []
    loop = asyncio.get_running_loop()

    def later() -> float:
        calls.append(loop.time())
        return 0.15  # nothing on view moves for a while

    ticker = Ticker(0.02, later, lambda exc: None)
    ticker.start()
    await asyncio.sleep(0.4)
    ticker.stop()
    assert 2 <= len(calls) <= 3  # 0.02, then every 0.15 s: not twenty calls
    assert calls[1] - calls[0] >= 0.14


async def test_a_deferral_can_name_its_delay() -> None:
    calls: list[int] = []
    ticker = Ticker(0.02, lambda: calls.append(1), lambda exc: None)
    ticker.start()
    ticker.defer(0.2)
    await asyncio.sleep(0.12)
    assert calls == []
    await asyncio.sleep(0.15)
    assert len(calls) >= 1
    ticker.stop()
