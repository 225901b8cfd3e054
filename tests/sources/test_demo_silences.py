"""The demo's Alertmanager keeps silences: created, listed, expired; silenced alerts are
reported `suppressed` with their silence ids, as a real Alertmanager reports them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cockpit.actions.silences import Matcher, SilenceApi, SilenceDraft
from cockpit.clock import FrozenClock
from cockpit.sim.demo import DemoPlatform
from cockpit.sources.alertmanager import AlertmanagerAlerts

T0 = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)
NAME = "PostgresConnectionsExhausted"


@pytest.fixture
async def platform() -> AsyncIterator[tuple[DemoPlatform, FrozenClock]]:
    clock = FrozenClock(T0)
    with DemoPlatform(clock) as demo:
        clock.set(T0 + timedelta(seconds=150))
        yield demo, clock


async def test_demo_silence_suppresses_then_expires(
    platform: tuple[DemoPlatform, FrozenClock],
) -> None:
    demo, clock = platform
    api = SilenceApi(demo.alertmanager_url)
    source = AlertmanagerAlerts(demo.alertmanager_url, timeout_s=5)
    try:
        draft = SilenceDraft((Matcher("alertname", NAME),), timedelta(hours=1), "rolling back")
        silence_id = api.create(draft, clock.now(), "ana@bastion")
        (listed,) = api.list()
        assert (listed.silence_id, listed.state, listed.created_by) == (
            silence_id, "active", "ana@bastion")  # fmt: skip
        items = {i["name"]: i for i in (await source.poll()).items}
        assert items[NAME]["silenced"] is True and items[NAME]["state"] == "firing"
        assert not any(i["silenced"] for n, i in items.items() if n != NAME)
        raw = httpx.get(demo.alertmanager_url + "/api/v2/alerts", timeout=5).json()
        mine = next(a for a in raw if a["labels"]["alertname"] == NAME)
        assert mine["status"] == {"state": "suppressed", "silencedBy": [silence_id],
                                  "inhibitedBy": [], "mutedBy": []}  # fmt: skip
        hidden = httpx.get(demo.alertmanager_url + "/api/v2/alerts",
                           params={"silenced": "false"}, timeout=5).json()  # fmt: skip
        assert NAME not in {a["labels"]["alertname"] for a in hidden} and hidden

        api.expire(silence_id)
        assert [s.state for s in api.list()] == ["expired"]
        items = {i["name"]: i for i in (await source.poll()).items}
        assert items[NAME]["silenced"] is False
        with pytest.raises(RuntimeError, match="400"):
            past = SilenceDraft(draft.matchers, timedelta(hours=1), "too late")
            api.create(past, clock.now() - timedelta(hours=2), "ana@bastion")
    finally:
        await source.aclose()
