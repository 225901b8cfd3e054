"""Turn one fenced block into a Step: attributes from the info string, then the typed body."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import ValidationError

from cockpit.runbook import bodies
from cockpit.runbook.markdown import Fence
from cockpit.runbook.model import Problem, Step
from cockpit.runbook.spec import READONLY_KINDS, STEP_KINDS, ArgocdBody, K8sBody, StepAttrs

_ATTR_RULES = {"extra_forbidden": "unknown-attribute", "missing": "missing-attribute"}
_KIND_ONLY = {"range": ("promql", "logql"), "deadline": ("check",)}


_WORD = re.compile(r"""\s*([^\s="']+)(?:=(?:"([^"]*)"|'([^']*)'|([^\s"']*)))?(?=\s|$)""")


def split_info(info: str) -> list[str] | None:
    """Split an info string into words, `key=value` with quotes removed; None if unreadable."""
    words: list[str] = []
    pos, end = 0, len(info.rstrip())
    while pos < end:
        match = _WORD.match(info, pos)
        if match is None:
            return None
        key, *values = match.groups()
        value = next((v for v in values if v is not None), None)
        words.append(key if value is None else f"{key}={value}")
        pos = match.end()
    return words


def is_step_fence(info: str) -> bool:
    """A fence is a step if it names a step kind, or carries attributes (a likely typo)."""
    words = info.split()
    return bool(words) and (words[0] in STEP_KINDS or any("=" in w for w in words[1:]))


def build_step(
    fence: Fence, file: str, declared: Iterable[str]
) -> tuple[Step | None, list[Problem]]:
    """Parse `fence`; the Step is None when the block cannot be understood at all."""
    at = fence.line
    words = split_info(fence.info)
    if words is None:
        msg = "cannot read the attributes: write key=value, quoting values with spaces"
        return None, [Problem(file, at, "bad-attribute", msg)]
    kind, raw = words[0], words[1:]
    if kind not in STEP_KINDS:
        known = ", ".join(STEP_KINDS)
        return None, [
            Problem(file, at, "unknown-step-kind", f"'{kind}' is not a step kind; use {known}")
        ]
    problems: list[Problem] = []
    if not fence.closed:
        problems.append(Problem(file, at, "unclosed-fence", "the code block is never closed"))
    attrs: dict[str, str] = {}
    for word in raw:
        key, sep, value = word.partition("=")
        if key in attrs:
            problems.append(Problem(file, at, "bad-attribute", f"attribute '{key}' given twice"))
        attrs[key] = value if sep else "true"
    data: dict[str, object] = dict(attrs)
    if "params" in data:
        data["params"] = tuple(p.strip() for p in attrs["params"].split(",") if p.strip())
    try:
        spec = StepAttrs.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            rule = _ATTR_RULES.get(err["type"], "bad-attribute")
            problems.append(Problem(file, at, rule, _attr_message(rule, name, err["msg"], kind)))
        return None, problems
    for attr, only in _KIND_ONLY.items():
        if getattr(spec, attr) is not None and kind not in only:
            kinds = " and ".join(only)
            problems.append(
                Problem(file, at, "attribute-not-for-kind", f"'{attr}' only applies to {kinds}")
            )
    if spec.readonly and kind not in READONLY_KINDS:
        msg = f"'readonly' only applies to {' and '.join(READONLY_KINDS)}: {kind} is judged by "
        msg += "what it does"
        problems.append(Problem(file, at, "attribute-not-for-kind", msg))
    parsed = bodies.parse_body(kind, fence.content, spec.role, fence.line + 1, file)
    problems.extend(parsed.problems)
    used = _used_params(spec, parsed.placeholders, fence.line)
    declared_set = set(declared)
    for name, line in used.items():
        if name not in declared_set:
            problems.append(
                Problem(
                    file,
                    line,
                    "undeclared-param",
                    f"step '{spec.id}' uses parameter '{name}' that the front matter "
                    "does not declare; add it under params with a pattern",
                )
            )
    step = Step(
        id=spec.id,
        kind=kind,
        role=spec.role,
        title=spec.title,
        confirm=spec.confirm,
        danger=spec.danger,
        forbidden=spec.forbidden,
        approval=spec.approval,
        body=fence.content,
        attrs=attrs,
        line=fence.line,
        params=tuple(used),
        spec=parsed.spec,
        timeout=spec.timeout,
        range=spec.range,
        deadline=spec.deadline,
        target=spec.target or _default_target(kind, parsed.spec, spec.id),
        readonly=spec.readonly,
    )
    return step, problems


def _used_params(spec: StepAttrs, in_body: dict[str, int], fence_line: int) -> dict[str, int]:
    used = {name: fence_line for name in spec.params}
    for name in bodies.placeholders_in(spec.target or ""):
        used.setdefault(name, fence_line)
    for name, line in in_body.items():
        used.setdefault(name, line)
    return used


def _default_target(kind: str, spec: object, step_id: str) -> str:
    if kind == "k8s" and isinstance(spec, K8sBody) and spec.deployment:
        return spec.deployment
    if kind == "argocd" and isinstance(spec, ArgocdBody):
        return spec.application
    return step_id


def _attr_message(rule: str, name: str, msg: str, kind: str) -> str:
    if rule == "unknown-attribute":
        allowed = ", ".join(StepAttrs.model_fields)
        return f"unknown attribute '{name}' on a {kind} step; allowed: {allowed}"
    if rule == "missing-attribute":
        return f"the {kind} step needs attribute '{name}'"
    return f"attribute '{name}': {msg}"
