"""`y` on the alerts pane copies the alert's Grafana link through OSC 52 and says so in plain
text; a hostile label value stays inside its parameter; without templates `y` says so."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from textual.app import App
from uikit import wait_text

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock
from cockpit.grafana import GrafanaTemplates
from cockpit.log.events import AlertsObserved, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.session import LiveSession

START = datetime(2025, 11, 10, 14, 0, tzinfo=UTC)
HOSTILE = "kyc-svc&var-namespace=evil#[b]x[/b]\x1b]52;c;ZXZpbA==\x07"
ALERT = {
    "key": "fp-lat",
    "name": "ApiHighLatencyP95",
    "state": "firing",
    "labels": {"alertname": "ApiHighLatencyP95", "service": HOSTILE, "namespace": "kyc"},
}
TEMPLATES = GrafanaTemplates(
    "https://grafana.example.internal",
    "/d/api/latency?var-service={service}&var-namespace={namespace}&from={from}&to={to}",
)


def _app(tmp_path: Path, grafana: GrafanaTemplates | None) -> CockpitApp:
    clock = FrozenClock(START)
    log, _report = IncidentLog.open(tmp_path / "inc.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured()), clock)
    session.append(AlertsObserved(source="am", items=(ALERT,)))
    return CockpitApp(session, AppOptions(author="ana@bastion", grafana=grafana), clock=clock)


def _osc52(app: App[object], written: list[str]) -> None:
    driver = app._driver
    assert driver is not None
    original = driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    driver.write = write  # type: ignore[method-assign]


def _messages(app: App[object]) -> list[str]:
    return [n.message for n in app._notifications]


async def test_y_copies_the_alert_link(tmp_path: Path) -> None:
    app = _app(tmp_path, TEMPLATES)
    written: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_text(pilot, "ApiHighLatencyP95")
        _osc52(app, written)
        await pilot.press("1", "y")
        await pilot.pause()
        url = app.clipboard
        parts = urlsplit(url)
        assert parts.netloc == "grafana.example.internal" and parts.fragment == ""
        query = parse_qs(parts.query)
        assert query["var-namespace"] == ["kyc"]
        assert query["var-service"][0].startswith("kyc-svc&var-namespace=evil#")
        assert int(query["to"][0]) == int(START.timestamp() * 1000)
        assert int(query["from"][0]) < int(query["to"][0])
        assert url.isascii() and url.isprintable()
        osc = [w for w in written if w.startswith("\x1b]52;c;")]
        assert osc == [f"\x1b]52;c;{base64.b64encode(url.encode()).decode()}\a"]
        assert f"copied {url}" in _messages(app)


async def test_y_without_templates_says_so_and_Y_copies_the_row(tmp_path: Path) -> None:
    app = _app(tmp_path, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_text(pilot, "ApiHighLatencyP95")
        await pilot.press("1", "y")
        await pilot.pause()
        assert app.clipboard == ""
        assert any("no template is configured" in m for m in _messages(app))
        await pilot.press("Y")
        await pilot.pause()
        assert app.clipboard.startswith("ApiHighLatencyP95{")


async def test_y_on_a_runbook_step_copies_its_query_in_explore(tmp_path: Path) -> None:
    import json

    from textual.widgets import OptionList

    from cockpit.screens.dashboard import DashboardScreen
    from cockpit.screens.runbook_screen import RunbookScreen

    explore = '/explore?panes={"a":{"queries":[{"refId":"A","expr":{expr_json}}]}}'
    app = _app(tmp_path, GrafanaTemplates(TEMPLATES.base_url, TEMPLATES.dashboard, explore))
    labels = {"alertname": "ApiHighLatencyP95", "service": "kyc-svc"}
    opened = DashboardScreen.AlertOpened("a1", "ApiHighLatencyP95", "RB-001", labels)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_text(pilot, "ApiHighLatencyP95")
        app.post_message(opened)
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        ids = [s.id for s in screen.shown_steps]
        screen.query_one("#steps", OptionList).highlighted = ids.index("p95-after")
        await pilot.press("y")
        await pilot.pause()
        panes = json.loads(parse_qs(urlsplit(app.clipboard).query)["panes"][0])
        expr = panes["a"]["queries"][0]["expr"]
        assert expr.startswith("histogram_quantile(0.95") and '{service="kyc-svc"}' in expr
        screen.query_one("#steps", OptionList).highlighted = ids.index("argo-rollback")
        await pilot.press("y")
        await pilot.pause()
        query = parse_qs(urlsplit(app.clipboard).query)
        assert urlsplit(app.clipboard).path == "/d/api/latency"
        assert query["var-service"] == ["kyc-svc"] and query["var-namespace"] == ["kyc"]
        assert query["to"] == [str(int(START.timestamp() * 1000))]
        assert f"copied {app.clipboard}" in _messages(app)
