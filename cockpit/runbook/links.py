"""What a runbook step offers Grafana link templates: its ids, its targets, its query."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cockpit.grafana import window
from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec.promql import escape_label_value
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.spec import ArgocdBody, K8sBody

QUERY_KINDS = ("promql", "logql")
"""Steps whose link is an Explore query (`expr`) rather than a dashboard."""


def step_values(
    runbook: Runbook, step: Step, params: Mapping[str, str], now: datetime | None = None
) -> tuple[dict[str, str], bool]:
    """The placeholders of `step` (parameters filled from `params` where known), with a
    `from`/`to` range over the hour before `now` when given, and whether the explore
    template suits it better than the dashboard one."""

    def known(key: str, text: str | None) -> None:
        # A target whose parameter has no value yet is left out (the copy names it missing).
        if text and all(name in params for name in PLACEHOLDER.findall(text)):
            values[key] = PLACEHOLDER.sub(lambda m: params[m.group(1)], text)

    values = {k: v for k, v in params.items() if k not in ("runbook", "step", "kind")}
    values.update(runbook=runbook.id, step=step.id, kind=step.kind)
    if now is not None:
        values.update(window(now))
    spec = step.spec
    if isinstance(spec, K8sBody):
        for key in ("namespace", "deployment", "pod", "node", "configmap"):
            known(key, getattr(spec, key))
    elif isinstance(spec, ArgocdBody):
        known("application", spec.application)
    if step.kind in QUERY_KINDS:
        # As the step sends it: label values escaped; a value not known yet stays {{ name }}.
        text = str(spec or step.body)
        values["expr"] = PLACEHOLDER.sub(
            lambda m: escape_label_value(params[m.group(1)]) if m.group(1) in params
            else m.group(0), text)  # fmt: skip
    return values, step.kind in QUERY_KINDS
