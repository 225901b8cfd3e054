"""The demo: its Argo CD manages kyc-svc; rolling back there rolls the simulated deployment
out to 2.13.4 and stops the session leak, while the Kubernetes rollout undo is refused."""

from __future__ import annotations

import os
from datetime import timedelta

from argo_support import T0, Confirmer, LogBox, run_step

from cockpit.actions.step_run import Phase
from cockpit.clock import FrozenClock
from cockpit.demo_setup import demo_targets
from cockpit.runbook.model import Runbook
from cockpit.sim.demo import DemoPlatform


def test_the_demo_rolls_back_through_argocd(logbox: LogBox, runbooks: dict[str, Runbook]) -> None:
    clock = FrozenClock(T0)
    with DemoPlatform(clock, with_k8s=True) as platform:
        clock.set(T0 + timedelta(seconds=150))
        targets = demo_targets(platform.prometheus_url, platform.k8s_url, os.environ,
                               argocd_url=platform.argocd_url)  # fmt: skip
        rb = runbooks["RB-004"]
        undo = run_step(rb, "rollback", logbox, targets, typed=[("service", "kyc-svc")])
        assert undo.phase is Phase.REFUSED and "argo-rollback" in undo.summary
        assert platform.platform.leak_cut_at is None
        confirm = Confirmer()
        out = run_step(rb, "argo-rollback", logbox, targets, typed=[("service", "kyc-svc")],
                       confirm=confirm)  # fmt: skip
        assert out.outcome == "ok", out.summary
        assert dict(confirm.asked[0].where)["Argo CD"].endswith("(simulated)")
        assert platform.k8s is not None
        dep = platform.k8s.cluster.deployments["kyc", "kyc-svc"]
        assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":2.13.4")
        assert platform.platform.leak_cut_at is not None
