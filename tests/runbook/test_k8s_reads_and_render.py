"""k8s diagnostics of RB-001/RB-002 on the fake, and hostile result text rendered as plain Text."""

from __future__ import annotations

from hostile_corpus import load as load_corpus
from rb_support import LogBox, bind, runner

from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.model import Runbook
from cockpit.screens.runbook_render import Run, run_text

HOSTILE = load_corpus()


def test_rb002_k8s_diagnostics(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-002"]
    run = runner(runbook, logbox, k8s_targets)
    pods = run.run(runbook.step("ocr-pods"), bind(runbook))  # type: ignore[arg-type]
    assert pods.outcome == "ok" and pods.columns[0] == "pod" and len(pods.rows) == 2
    bound = bind(runbook, pod=pods.rows[0][0])
    described = run.run(runbook.step("ocr-describe"), bound)  # type: ignore[arg-type]
    assert described.outcome == "ok" and f"Name: {pods.rows[0][0]}" in described.text
    logs = run.run(runbook.step("ocr-logs"), bound)  # type: ignore[arg-type]
    assert logs.outcome == "ok" and logs.text.count("==> ocr-svc-") == 2
    events = run.run(runbook.step("ocr-events"), bound)  # type: ignore[arg-type]
    assert events.outcome == "ok" and "ScalingReplicaSet" in {r[2] for r in events.rows}
    rollout = run.run(runbook.step("ocr-rollout"), bound)  # type: ignore[arg-type]
    assert rollout.outcome == "ok", rollout.summary
    assert [r.outcome for r in logbox.state.steps.values()] == ["ok"] * 5


def test_rb001_top_pods(
    k8s_targets: StepTargets, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    runbook = runbooks["RB-001"]
    step = runbook.step("top-pods")
    assert step is not None
    result = runner(runbook, logbox, k8s_targets).run(step, bind(runbook, {"service": "ocr-svc"}))
    assert result.outcome == "ok" and result.rows and result.columns == ("pod", "cpu", "memory")


def test_hostile_result_text_is_sanitised() -> None:
    nasty = [*HOSTILE["terminal_escapes"], *HOSTILE["markup"]]
    result = {"columns": ["c"], "rows": [[s] for s in nasty], "text": "\n".join(nasty)}
    text = run_text(Run("r1", "step", "ok", None, "x\x1b[31m", "sum\x07", result, ""))
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    assert "[/]" in text.plain or not any("[/]" in s for s in nasty)
    assert text.spans == [] or all(isinstance(s.style, str) for s in text.spans)
