"""The shipped demo recording only runs steps that the shipped runbooks have."""

from __future__ import annotations

from cockpit.launch import sample_log
from cockpit.log.reader import LogReader
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks


def test_every_step_of_the_sample_exists_in_its_runbook() -> None:
    found = load_runbooks(default_runbook_dirs())
    steps = {(rb.id, step.id): step for rb in found.runbooks for step in rb.steps}
    runs = [
        r.event.data
        for r in LogReader(sample_log())
        if r.event.type in ("step.requested", "mitigation.requested")
    ]
    assert len(runs) >= 2
    for run in runs:
        key = (run["runbook"], run["step"])
        assert key in steps, f"the sample runs {key}, which no runbook has"
        assert steps[key].kind == run["kind"], key
    rollback = next(r for r in runs if r["step"] == "rollback")
    assert steps["RB-004", "rollback"].spec.action == "rollout-undo"  # type: ignore[union-attr]
    assert "2.14.0" in rollback["what"] and "2.13.4" in rollback["what"]
