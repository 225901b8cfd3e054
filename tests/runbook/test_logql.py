"""`logql` steps against the Loki fake on loopback (Loki's own push, query_range and query
answers): lines newest first with their timestamps, label values escaped, hostile text
sanitised, instant log queries refused as Loki refuses them, and a deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from cockpit.clock import FrozenClock
from cockpit.runbook.exec.base import StepFailure, StepTargets
from cockpit.runbook.exec.dispatch import execute_plan, plan_step
from cockpit.runbook.model import Runbook
from cockpit.runbook.parse import parse_runbook
from cockpit.sim.loki_fake import LokiFake

NOW = datetime(2025, 3, 12, 14, 30, tzinfo=UTC)


def ns(seconds_ago: float) -> str:
    return str(int((NOW - timedelta(seconds=seconds_ago)).timestamp() * 1e9))


@pytest.fixture
def loki() -> Iterator[LokiFake]:
    fake = LokiFake(clock=FrozenClock(NOW))
    fake.start()
    streams = [
        {"stream": {"namespace": "kyc", "app": "kyc-svc"},
         "values": [[ns(600), "info dossier accepted"], [ns(300), "error pool timeout"],
                    [ns(30), "warn slow ocr \x1b[31m[b]red[/b]"], [ns(7200), "error too old"]]},
        {"stream": {"namespace": "kyc", "app": 'we"ird'},
         "values": [[ns(60), "error from the quoted app"]]},
    ]  # fmt: skip
    reply = httpx.post(fake.url + "/loki/api/v1/push", json={"streams": streams}, timeout=5)
    assert reply.status_code == 204
    yield fake
    fake.stop()


def _runbook(tmp_path: Path, body: str, attrs: str = "range=1h") -> Runbook:
    path = tmp_path / "RB-900-logs.md"
    path.write_text(
        "---\nid: RB-900\ntitle: Logs test\nseverity: SEV-3\nparams:\n"
        "  - name: app\n    type: string\n    pattern: '.{1,40}'\n    source: operator\n"
        f'---\n\n# Logs\n\n```logql id=logs role=diagnose title="Logs" {attrs}\n{body}\n```\n',
        encoding="utf-8",
    )
    return parse_runbook(path)  # raises, naming every problem, for a bad file


def _run(runbook: Runbook, loki: LokiFake, app: str, deadline: float = 5.0):  # type: ignore[no-untyped-def]
    targets = StepTargets(loki_url=loki.url, clock=FrozenClock(NOW))
    step = runbook.steps[0]
    plan = plan_step(step, {"app": app}, {}, targets, None)
    return plan, execute_plan(plan, targets, deadline)


def test_range_query_lines_newest_first_with_timestamps(tmp_path: Path, loki: LokiFake) -> None:
    runbook = _runbook(tmp_path, '{namespace="kyc", app="{{ app }}"} |~ "(error|warn)"')
    plan, result = _run(runbook, loki, "kyc-svc")
    assert plan.what.startswith("log query over the last 1h:")
    assert result.outcome == "ok", result.summary
    assert result.columns == ("time", "stream", "line")
    assert [r[0] for r in result.rows] == ["2025-03-12 14:29:30.000Z", "2025-03-12 14:25:00.000Z"]
    assert result.rows[1][2] == "error pool timeout"
    assert "\x1b" not in result.rows[0][2] and "[b]red[/b]" in result.rows[0][2]
    assert result.rows[0][1] == "app=kyc-svc, namespace=kyc"


def test_label_values_are_escaped(tmp_path: Path, loki: LokiFake) -> None:
    runbook = _runbook(tmp_path, '{namespace="kyc", app="{{ app }}"}')
    plan, result = _run(runbook, loki, 'we"ird')
    assert 'app="we\\"ird"' in plan.what
    assert [r[2] for r in result.rows] == ["error from the quoted app"]
    # A value cannot close the string and widen the selector.
    _plan, widened = _run(runbook, loki, 'x", app=~".+')
    assert widened.outcome == "ok" and widened.rows == ()


def test_instant_queries_count_and_refuse_log_lines(tmp_path: Path, loki: LokiFake) -> None:
    count = _runbook(tmp_path, 'count_over_time({app="{{ app }}"} |= "error" [1h])', attrs="")
    plan, result = _run(count, loki, "kyc-svc")
    assert plan.what.startswith("instant log query:")
    assert result.rows == (("app=kyc-svc, namespace=kyc", "1"),)
    lines = _runbook(tmp_path, '{app="{{ app }}"}', attrs="")
    with pytest.raises(StepFailure, match="not supported as an instant query"):
        _run(lines, loki, "kyc-svc")


def test_a_silent_loki_hits_the_deadline(tmp_path: Path, loki: LokiFake) -> None:
    runbook = _runbook(tmp_path, '{app="{{ app }}"}')
    original = loki.route

    def slow(request):  # type: ignore[no-untyped-def]
        time.sleep(3)
        return original(request)

    loki.route = slow  # type: ignore[method-assign]
    started = time.monotonic()
    with pytest.raises(StepFailure, match="did not answer within") as caught:
        _run(runbook, loki, "kyc-svc", deadline=0.5)
    assert caught.value.outcome == "timeout" and time.monotonic() - started < 2.5


def test_no_loki_configured_says_which_key(tmp_path: Path) -> None:
    runbook = _runbook(tmp_path, '{app="{{ app }}"}')
    targets = StepTargets(clock=FrozenClock(NOW))
    plan = plan_step(runbook.steps[0], {"app": "kyc-svc"}, {}, targets, None)
    with pytest.raises(StepFailure, match=r"\[loki\] url"):
        execute_plan(plan, targets, 5.0)
