"""Argo CD as steps see it: the server, its token, and which deployment each application owns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the step models (pydantic) load with the runbooks, not with the targets
    from cockpit.runbook.model import Runbook, Step
    from cockpit.runbook.spec import K8sBody


@dataclass(frozen=True, slots=True)
class ArgoTarget:
    """The Argo CD server of this session; `applications` maps name -> (namespace, deployment).

    `token` is a `cockpit.settings.secrets.Secret` (revealed only in the HTTP header) or
    None; `verify` is True, False or a CA file path for TLS.
    """

    url: str
    token: object = None
    timeout_s: float = 5.0
    verify: bool | str = True
    applications: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    problem: str = ""
    """Why the server cannot be used (its token unreadable): `argocd` steps say it."""

    @property
    def server(self) -> str:
        """The server as confirmations name it: host[:port] (never a credential)."""
        return urlsplit(self.url).netloc.rpartition("@")[2] or self.url

    def owner_of(self, namespace: str, deployment: str) -> str | None:
        """The application that owns `namespace/deployment`, or None."""
        for name, (ns, dep) in self.applications.items():
            if (ns, dep) == (namespace, deployment):
                return name
        return None


def rollback_step_for(runbook: Runbook, application: str, values: Mapping[str, str]) -> Step | None:
    """The runbook's `argocd` rollback step for `application` (placeholders filled from
    `values`), else any of its `argocd` rollback steps, else None."""
    from cockpit.runbook.bodies import PLACEHOLDER
    from cockpit.runbook.spec import ArgocdBody

    found: Step | None = None
    for step in runbook.steps:
        spec = step.spec
        if not isinstance(spec, ArgocdBody) or spec.action != "rollback":
            continue
        named = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), spec.application)
        if named == application:
            return step
        found = found or step
    return found


def undo_target(step: Step) -> K8sBody | None:
    """The k8s body of a `rollout-undo` step, or None for any other step."""
    from cockpit.runbook.spec import K8sBody

    spec = step.spec
    if isinstance(spec, K8sBody) and spec.action == "rollout-undo":
        return spec
    return None


def undo_warnings(runbooks: Iterable[Runbook]) -> list[str]:
    """One line per `rollout-undo` step of a runbook that has no `argocd` rollback step:
    on an Argo-managed deployment the undo is refused, and nothing could be named instead."""
    from cockpit.runbook.spec import ArgocdBody

    found: list[str] = []
    for runbook in runbooks:
        if any(isinstance(s.spec, ArgocdBody) and s.spec.action == "rollback"
               for s in runbook.steps):  # fmt: skip
            continue
        for step in runbook.steps:
            if undo_target(step) is not None:
                found.append(
                    f"{runbook.path}:{step.line}: step '{step.id}' is a rollout-undo, refused "
                    "for deployments Argo CD manages, and this runbook has no argocd rollback "
                    "step to run instead"
                )
    return found
