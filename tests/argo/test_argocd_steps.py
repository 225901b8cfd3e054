"""`argocd` steps through the step runner against the loopback Argo CD (real httpx client):
history, rollback and sync, the permission rules, and the refused rollout undo."""

from __future__ import annotations

import json
from pathlib import Path

from argo_support import Confirmer, LogBox, run_step, targets

from cockpit.actions.step_run import Phase
from cockpit.permissions import Mode
from cockpit.runbook.model import Runbook
from cockpit.runbook.safety import changes_platform
from cockpit.sim.argocd_fake import KYC_NEW, KYC_OLD, ArgoCdFake

OLD_IMAGE, NEW_IMAGE = "registry.local/kyc-svc:2.13.4", "registry.local/kyc-svc:2.14.0"


def _posts(fake: ArgoCdFake) -> list[str]:
    return [r.path for r in fake.requests if r.method == "POST"]


def test_rollback_runs_logs_and_changes_the_images(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    confirm = Confirmer()
    out = run_step(runbooks["RB-001"], "argo-rollback", logbox, targets(argo), confirm=confirm)
    assert out.phase is Phase.FINISHED and out.outcome == "ok", out.summary
    assert OLD_IMAGE in out.summary and "history id 0" in out.summary
    assert logbox.types() == ["mitigation.requested", "mitigation.confirmed",
                              "mitigation.completed"]  # fmt: skip
    (asked,) = confirm.asked
    assert asked.typed_target == "kyc-svc"
    where = dict(asked.where)
    assert where["application"] == "kyc-svc" and where["Argo CD"] == argo.url.split("//")[1]
    assert f"- revision {KYC_NEW[:10]}  images {NEW_IMAGE}" in asked.what
    assert f"+ revision {KYC_OLD[:10]}  images {OLD_IMAGE}" in asked.what
    app = argo.state.apps["kyc-svc"]
    assert app.live == KYC_OLD and app.history[-1]["id"] == 2
    assert _posts(argo) == ["/api/v1/applications/kyc-svc/rollback"]
    (posted,) = [r for r in argo.requests if r.method == "POST"]
    assert json.loads(posted.body) == {"name": "kyc-svc", "id": 0, "dryRun": False, "prune": False}
    (run,) = logbox.state.mitigations.values()
    assert run.outcome == "ok" and "nadia" in run.requested_by


def test_rollback_to_a_typed_history_id_and_the_id_is_checked(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    rb, t = runbooks["RB-001"], targets(argo)
    bad = run_step(rb, "argo-rollback", logbox, t, typed=[("history_id", "0; rm -rf /")])
    assert bad.phase is Phase.REFUSED and "history_id" in bad.summary
    missing = run_step(rb, "argo-rollback", logbox, t, typed=[("history_id", "7")])
    assert missing.phase is Phase.REFUSED and "no history id 7 (kept: 0, 1)" in missing.summary
    current = run_step(rb, "argo-rollback", logbox, t, typed=[("history_id", "1")])
    assert current.phase is Phase.REFUSED and "the one deployed" in current.summary
    assert _posts(argo) == []
    done = run_step(rb, "argo-rollback", logbox, t, typed=[("history_id", "0")])
    assert done.outcome == "ok" and argo.state.apps["kyc-svc"].live == KYC_OLD


def test_history_is_read_only_and_runs_in_a_read_only_session(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    rb = runbooks["RB-001"]
    history = rb.step("release-history")
    assert history is not None and not changes_platform(history)
    out = run_step(rb, "release-history", logbox, targets(argo), read_only=True)
    assert out.outcome == "ok", out.summary
    assert out.result is not None
    assert out.result.columns == ("id", "revision", "deployed at", "images", "state")
    assert [row[0] for row in out.result.rows] == ["1", "0"]
    assert out.result.rows[0][3] == NEW_IMAGE and out.result.rows[0][4] == "deployed"
    assert out.result.rows[1][3] == OLD_IMAGE
    assert logbox.types() == ["step.requested", "step.completed"]
    assert _posts(argo) == []


def test_sync_and_rollback_are_refused_read_only_and_in_replay(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook], tmp_path: object
) -> None:
    rb = runbooks["RB-001"]
    rollback = rb.step("argo-rollback")
    assert rollback is not None and changes_platform(rollback)
    out = run_step(rb, "argo-rollback", logbox, targets(argo), read_only=True)
    assert out.phase is Phase.REFUSED and "--read-only" in out.summary
    replay = run_step(rb, "argo-rollback", logbox, targets(argo), mode=Mode.REPLAY)
    assert replay.phase is Phase.REFUSED and "replay" in replay.summary
    assert _posts(argo) == [] and argo.state.apps["kyc-svc"].live == KYC_NEW


def test_sync_deploys_the_branch_head(argo: ArgoCdFake, logbox: LogBox, tmp_path) -> None:
    from cockpit.runbook.parse import parse_runbook

    path = tmp_path / "RB-950.md"
    path.write_text(SYNC_RUNBOOK)
    rb = parse_runbook(path)
    argo.state.rollback("kyc-svc", 0)
    refused = run_step(rb, "sync", logbox, targets(argo), read_only=True)
    assert refused.phase is Phase.REFUSED and _posts(argo) == []
    confirm = Confirmer(True)
    out = run_step(rb, "sync", logbox, targets(argo), confirm=confirm)
    assert out.outcome == "ok" and NEW_IMAGE in out.summary, out.summary
    assert f"+ revision {KYC_NEW[:10]}  images {NEW_IMAGE}" in confirm.asked[0].what
    (posted,) = [r for r in argo.requests if r.method == "POST"]
    assert posted.path.endswith("/sync") and KYC_NEW in posted.body


SYNC_RUNBOOK = """---
id: RB-950
title: Sync an application
severity: SEV-4
---

```argocd id=sync role=mitigate title="Sync kyc-svc" confirm=yes
action: sync
application: kyc-svc
```
"""


def test_auto_sync_and_a_wrong_token_are_said_plainly(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    rb = runbooks["RB-001"]
    wrong = "wrong-token-abcdef"
    out = run_step(rb, "argo-rollback", logbox, targets(argo, token=wrong))
    assert out.phase is Phase.REFUSED and "refused the token (HTTP 401)" in out.summary
    assert wrong not in Path(logbox.log.path).read_text()
    argo.state.apps["kyc-svc"].auto_sync = True
    auto = run_step(rb, "argo-rollback", logbox, targets(argo))
    assert auto.phase is Phase.REFUSED and "automated sync on" in auto.summary
    assert "--sync-policy none" in auto.summary and _posts(argo) == []


def test_rollout_undo_of_an_argo_managed_deployment_names_the_argocd_step(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    for rb_id in ("RB-001", "RB-004"):
        out = run_step(runbooks[rb_id], "rollback", logbox, targets(argo),
                       typed=[("service", "kyc-svc")])  # fmt: skip
        assert out.phase is Phase.REFUSED, (rb_id, out.summary)
        assert "managed by Argo CD (application kyc-svc)" in out.summary
        assert "run step 'argo-rollback'" in out.summary
    # The attempt is on record, and nothing was asked or sent anywhere.
    assert logbox.types() == ["mitigation.requested", "mitigation.completed"] * 2
    assert argo.requests == []
    # A deployment no application owns is not refused for that reason.
    other = run_step(runbooks["RB-001"], "rollback", logbox, targets(argo),
                     typed=[("service", "tcr-svc")])  # fmt: skip
    assert "Argo CD" not in other.summary


def test_a_slow_or_failing_server_is_one_bounded_request(
    argo: ArgoCdFake, logbox: LogBox, runbooks: dict[str, Runbook]
) -> None:
    from dataclasses import replace

    rb, t = runbooks["RB-001"], targets(argo)
    assert t.argocd is not None
    quick = replace(t, argocd=replace(t.argocd, timeout_s=0.5))
    argo.set_fault("/rollback$", status=503, method="POST")
    failed = run_step(rb, "argo-rollback", logbox, quick)
    assert failed.phase is Phase.FINISHED and failed.outcome == "failed"
    assert "Argo CD answered HTTP 503" in failed.summary
    assert len(_posts(argo)) == 1  # no hidden retry
    argo.clear_faults()
    argo.set_fault("/api/v1/applications/kyc-svc$", delay_s=3.0, method="GET")
    slow = run_step(rb, "release-history", logbox, quick)
    assert slow.outcome == "timeout" and "did not answer in time" in slow.summary
    assert argo.state.apps["kyc-svc"].live == KYC_NEW
