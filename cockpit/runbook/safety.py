"""Safety policy for steps: what each step needs before it may run, and the rules behind it."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.runbook.model import Problem, Step
from cockpit.runbook.spec import (
    ARGOCD_WRITE_ACTIONS,
    K8S_WRITE_ACTIONS,
    READONLY_KINDS,
    ArgocdBody,
    K8sBody,
)
from cockpit.runbook.sql_effects import SqlEffect, side_effects


def changes_platform(step: Step) -> bool:
    """True if running `step` may change something, judged by what it does, not its label.

    Role mitigate always; a k8s write action; SQL calling a side-effect function or writing
    (see `sql_effects`); an `exec` or `http` step unless it is declared `readonly=true`.
    """
    return mutation(step) is not None


def mutation(step: Step) -> str | None:
    """Why `step` may change the platform (one line), or None for a step that only reads."""
    if step.role == "mitigate":
        return "it is a mitigation"
    if step.kind == "check":
        return None
    if isinstance(step.spec, K8sBody) and step.spec.action in K8S_WRITE_ACTIONS:
        return f"k8s {step.spec.action} changes the cluster"
    if isinstance(step.spec, ArgocdBody) and step.spec.action in ARGOCD_WRITE_ACTIONS:
        return f"argocd {step.spec.action} changes what Argo CD deploys"
    if step.kind in READONLY_KINDS and not step.readonly:
        return f"an {step.kind} step may change anything unless declared readonly=true"
    if step.kind == "sql":
        effects = sql_effects(step)
        return f"the SQL {effects[0].describe()}" if effects else None
    return None


def sql_effects(step: Step) -> tuple[SqlEffect, ...]:
    """Side effects in a SQL step's text (empty for other kinds)."""
    return side_effects(str(step.spec or step.body)) if step.kind == "sql" else ()


def safety_problems(step: Step, file: str) -> list[Problem]:
    """Rules on confirmation and capability: mitigations confirm, dangerous steps need the
    target typed, and a step that is not a mitigation must be unable to change anything."""
    found = _capability_problems(step, file)
    if step.role == "mitigate" and step.confirm == "none":
        found.append(
            Problem(
                file,
                step.line,
                "mitigate-needs-confirm",
                f"step '{step.id}' mitigates but has no confirm; add confirm=yes or confirm=typed",
            )
        )
    if step.danger and step.confirm != "typed":
        found.append(
            Problem(
                file,
                step.line,
                "danger-needs-typed",
                f"step '{step.id}' is marked danger; it needs confirm=typed",
            )
        )
    if step.approval and step.confirm != "typed":
        found.append(
            Problem(
                file,
                step.line,
                "approval-needs-typed",
                f"step '{step.id}' needs an approval; it needs confirm=typed (the approver "
                "types the target back)",
            )
        )
    if step.kind == "check" and step.role == "mitigate":
        found.append(
            Problem(
                file,
                step.line,
                "check-role",
                f"check step '{step.id}' is a manual item; use role diagnose, verify or follow-up",
            )
        )
    return found


def _capability_problems(step: Step, file: str) -> list[Problem]:
    found: list[Problem] = []
    if step.role == "mitigate":
        if step.readonly:
            msg = f"step '{step.id}' is a mitigation marked readonly=true; drop readonly"
            found.append(Problem(file, step.line, "readonly-mitigation", msg))
        return found
    for effect in sql_effects(step):
        found.append(
            Problem(
                file,
                step.line + 1 + effect.line,
                "sql-side-effect",
                f"{step.role} step '{step.id}' {effect.describe()}; a read-only transaction "
                "does not stop that: put it in a role=mitigate step with a confirmation",
            )
        )
    if step.kind in READONLY_KINDS and not step.readonly:
        found.append(
            Problem(
                file,
                step.line,
                "needs-readonly",
                f"{step.kind} step '{step.id}' has role {step.role} but could change anything: "
                "add readonly=true if it only reads, or make it role=mitigate with confirm",
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Gate:
    """Whether a step may run now, and what the operator must do first."""

    allowed: bool
    confirm: str
    reason: str = ""


def gate(step: Step, *, read_only: bool, replay: bool = False, may_mitigate: bool = True) -> Gate:
    """Decide if `step` can run in this session; `confirm` is none, yes or typed.

    Forbidden steps never run. Steps that change the platform are refused in read-only or
    replay mode and for roles without rights, and always need at least a yes.
    """
    if step.forbidden:
        return Gate(False, step.confirm, f"needs approval outside the cockpit: {step.forbidden}")
    if replay:
        return Gate(False, step.confirm, "replay: nothing runs against the platform")
    if step.kind == "check":
        return Gate(True, "none")
    why = mutation(step)
    if why is not None:
        if read_only:
            return Gate(False, step.confirm, f"read-only session: nothing that changes the "
                        f"platform runs ({why})")  # fmt: skip
        if not may_mitigate:
            return Gate(False, step.confirm, "your role may not run mitigations")
        return Gate(True, "typed" if step.danger else _at_least_yes(step.confirm))
    return Gate(True, step.confirm)


def _at_least_yes(confirm: str) -> str:
    return "yes" if confirm == "none" else confirm
