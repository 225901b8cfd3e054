"""argocd step bodies in runbooks: what validate refuses and warns about, and step links."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.runbook.cli import validate_main
from cockpit.runbook.links import step_values
from cockpit.runbook.model import Runbook, RunbookError
from cockpit.runbook.parse import parse_runbook
from cockpit.runbook.safety import mutation

HEAD = """---
id: RB-951
title: Argo steps
severity: SEV-4
params:
  - name: service
    pattern: '[a-z-]+'
    source: label:service
---

"""
UNDO = """```k8s id=undo role=mitigate title="Undo" confirm=typed
action: rollout-undo
namespace: kyc
deployment: "{{ service }}"
```
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "RB-951.md"
    path.write_text(HEAD + body)
    return path


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('```argocd id=a role=diagnose title="t"\naction: rollback\napplication: x\n```\n',
         "argocd rollback changes the platform: use role=mitigate"),
        ('```argocd id=a role=diagnose title="t"\naction: history\napplication: x\nid: "3"\n'
         "```\n", "argocd history takes no 'id'"),
        ('```argocd id=a role=mitigate title="t" confirm=yes\naction: revert\napplication: x\n'
         "```\n", "argocd action"),
        ('```argocd id=a role=mitigate title="t" confirm=yes\naction: sync\napplication: "a b"\n'
         "```\n", "argocd application"),
        ('```argocd id=a role=mitigate title="t"\naction: sync\napplication: x\n```\n',
         "mitigates but has no confirm"),
    ],
)  # fmt: skip
def test_bad_argocd_steps_are_refused(tmp_path: Path, body: str, words: str) -> None:
    with pytest.raises(RunbookError) as caught:
        parse_runbook(_write(tmp_path, body))
    assert words in str(caught.value)


def test_validate_warns_of_an_undo_without_an_argocd_rollback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, UNDO)
    assert validate_main(str(tmp_path)) == 0
    err = capsys.readouterr().err
    assert "RB-951.md:" in err and "step 'undo' is a rollout-undo" in err
    rollback = '```argocd id=back role=mitigate title="Back" confirm=typed\naction: rollback\n'
    _write(tmp_path, UNDO + rollback + 'application: "{{ service }}"\n```\n')
    assert validate_main(str(tmp_path)) == 0
    assert "warning" not in capsys.readouterr().err


def test_every_shipped_rollout_undo_has_an_argocd_rollback(
    runbooks: dict[str, Runbook], capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate_main() == 0
    assert "warning" not in capsys.readouterr().err
    step = runbooks["RB-001"].step("argo-rollback")
    assert step is not None and mutation(step) == "it is a mitigation"
    assert step.target == "{{ service }}"


def test_step_values_for_links(runbooks: dict[str, Runbook]) -> None:
    rb = runbooks["RB-001"]
    query = rb.step("p95-after")
    assert query is not None
    values, explore = step_values(rb, query, {"service": 'a"b\\c'})
    assert explore and 'service="a\\"b\\\\c"' in values["expr"]
    assert values["runbook"] == "RB-001" and values["step"] == "p95-after"
    k8s = rb.step("rollback")
    assert k8s is not None
    values, explore = step_values(rb, k8s, {"namespace": "kyc"})
    assert not explore and values["namespace"] == "kyc"
    assert "deployment" not in values  # its parameter has no value yet
    argo = rb.step("argo-rollback")
    assert argo is not None
    assert step_values(rb, argo, {"service": "kyc-svc"})[0]["application"] == "kyc-svc"
