"""Safety policy for steps: what each step needs before it may run, and the rules behind it."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.runbook.model import Problem, Step
from cockpit.runbook.spec import K8S_WRITE_ACTIONS, HttpBody, K8sBody


def changes_platform(step: Step) -> bool:
    """True if running `step` may change something: role mitigate or a write action."""
    if step.role == "mitigate":
        return True
    if isinstance(step.spec, K8sBody):
        return step.spec.action in K8S_WRITE_ACTIONS
    if isinstance(step.spec, HttpBody):
        return step.spec.method not in ("GET", "HEAD")
    return False


def safety_problems(step: Step, file: str) -> list[Problem]:
    """Rules on confirmation: mitigations confirm, dangerous steps need the target typed."""
    found: list[Problem] = []
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
    if changes_platform(step):
        if read_only:
            return Gate(False, step.confirm, "read-only session: mitigations are disabled")
        if not may_mitigate:
            return Gate(False, step.confirm, "your role may not run mitigations")
        return Gate(True, "typed" if step.danger else _at_least_yes(step.confirm))
    return Gate(True, step.confirm)


def _at_least_yes(confirm: str) -> str:
    return "yes" if confirm == "none" else confirm
