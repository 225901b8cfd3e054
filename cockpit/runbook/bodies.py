"""Per-kind checks of a step body: SQL binding, PromQL text, k8s actions, exec argv, http."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from pydantic import ValidationError

from cockpit.runbook.markdown import load_yaml, yaml_error_line
from cockpit.runbook.model import Problem
from cockpit.runbook.spec import (
    ARGOCD_WRITE_ACTIONS,
    K8S_READ_ACTIONS,
    K8S_WRITE_ACTIONS,
    ArgocdBody,
    HttpBody,
    K8sBody,
)

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
SQL_PARAM = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)s")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
K8S_ACTIONS = K8S_READ_ACTIONS + K8S_WRITE_ACTIONS
_SECRET_HEADER = re.compile(r"authorization|cookie|token|secret|api[-_]?key|password", re.I)
_NEEDS = {
    "deployment": (
        "rollout-status",
        "scale",
        "set-env",
        "set-resources",
        "rollout-restart",
        "rollout-undo",
    ),
    "pod": ("describe-pod",),
    "node": ("describe-node",),
    "configmap": ("set-config",),
    "data": ("set-config",),
    "memory_limit": ("set-resources",),
    "replicas": ("scale",),
    "env": ("set-env",),
}


@dataclass(slots=True)
class ParsedBody:
    """What a body check found: the typed spec, placeholders (name -> line), problems."""

    spec: object = None
    placeholders: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def placeholders_in(text: str) -> list[str]:
    """Names used as {{ name }} in `text`, in order."""
    return PLACEHOLDER.findall(text)


def parse_body(kind: str, text: str, role: str, first_line: int, file: str) -> ParsedBody:
    """Check `text`, the body of a `kind` step whose first line is `first_line` in `file`."""
    out = ParsedBody()
    pattern = SQL_PARAM if kind == "sql" else PLACEHOLDER
    for offset, line in enumerate(text.splitlines()):
        for name in pattern.findall(line):
            out.placeholders.setdefault(name, first_line + offset)
    if not text.strip():
        out.problems.append(Problem(file, first_line - 1, "empty-step", "the step has no body"))
        return out
    if kind in ("promql", "logql", "check"):
        out.spec = text.strip()
    elif kind == "sql":
        out.spec = text.strip()
        _check_sql(text, first_line, file, out)
    else:
        _check_structured(kind, text, role, first_line, file, out)
    return out


def env_key_params(spec: object) -> list[str]:
    """Parameters used inside environment variable names of a k8s set-env body."""
    if not isinstance(spec, K8sBody) or not spec.env:
        return []
    return [name for key in spec.env for name in PLACEHOLDER.findall(key)]


def _check_sql(text: str, first_line: int, file: str, out: ParsedBody) -> None:
    # psycopg binds %(name)s; anything else that looks like formatting means a value could be
    # spliced into the SQL text, and a stray % breaks binding at run time.
    for offset, line in enumerate(text.splitlines()):
        rest = SQL_PARAM.sub("", line.replace("%%", ""))
        quoted = re.search(r"'%\([a-z_0-9]+\)s'", line)
        if "{" in rest or "}" in rest or "%" in rest or quoted:
            out.problems.append(
                Problem(
                    file,
                    first_line + offset,
                    "sql-string-formatting",
                    "SQL must take values only as bound %(name)s placeholders, unquoted "
                    "(no {}, %s or '%(name)s'; write a literal % as %%)",
                )
            )


def _check_structured(
    kind: str, text: str, role: str, first_line: int, file: str, out: ParsedBody
) -> None:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        line = first_line + yaml_error_line(exc, 1) - 1
        out.problems.append(Problem(file, line, "bad-step-body", f"{kind} body is not YAML"))
        return
    if kind == "exec":
        _check_exec(data, first_line, file, out)
    elif kind == "k8s":
        _check_k8s(data, role, first_line, file, out)
    elif kind == "argocd":
        _check_argocd(data, role, first_line, file, out)
    else:
        _check_http(data, role, first_line, file, out)


def _check_exec(data: object, first_line: int, file: str, out: ParsedBody) -> None:
    at = first_line - 1
    if not isinstance(data, list) or not data or not all(isinstance(a, str) for a in data):
        msg = (
            "exec body must be a YAML or JSON list of strings (quote numbers), never a command line"
        )
        out.problems.append(Problem(file, at, "exec-argv", msg))
        return
    for index, arg in enumerate(data):
        names = PLACEHOLDER.findall(arg)
        if names and (index == 0 or not PLACEHOLDER.fullmatch(arg.strip())):
            out.problems.append(
                Problem(
                    file,
                    at,
                    "exec-partial-placeholder",
                    f"argv item {arg!r}: a placeholder must be a whole argument, and never "
                    "the program",
                )
            )
    out.spec = tuple(data)


def _check_k8s(data: object, role: str, first_line: int, file: str, out: ParsedBody) -> None:
    at = first_line - 1
    try:
        body = K8sBody.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "body"
            if err["loc"][:1] == ("action",):
                msg = f"unknown k8s action {err['input']!r}; use one of {', '.join(K8S_ACTIONS)}"
                out.problems.append(Problem(file, at, "k8s-unknown-action", msg))
            else:
                out.problems.append(Problem(file, at, "bad-step-body", f"k8s {loc}: {err['msg']}"))
        return
    for attr, actions in _NEEDS.items():
        if body.action in actions and not getattr(body, attr):
            out.problems.append(
                Problem(file, at, "bad-step-body", f"k8s {body.action} needs '{attr}'")
            )
    if body.action == "logs" and not (body.pod or body.selector):
        out.problems.append(Problem(file, at, "bad-step-body", "k8s logs needs pod or selector"))
    for key in body.env or {}:
        if not ENV_NAME.fullmatch(PLACEHOLDER.sub("X", key)):
            out.problems.append(
                Problem(file, at, "k8s-env-name", f"{key!r} is not a valid variable name")
            )
    if body.action in K8S_WRITE_ACTIONS and role != "mitigate":
        out.problems.append(_write_role(file, at, f"k8s {body.action}"))
    out.spec = body


def _check_argocd(data: object, role: str, first_line: int, file: str, out: ParsedBody) -> None:
    at = first_line - 1
    try:
        body = ArgocdBody.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "body"
            out.problems.append(Problem(file, at, "bad-step-body", f"argocd {loc}: {err['msg']}"))
        return
    if body.id is not None and body.action != "rollback":
        msg = f"argocd {body.action} takes no 'id' (only rollback goes to a history id)"
        out.problems.append(Problem(file, at, "bad-step-body", msg))
    if body.action in ARGOCD_WRITE_ACTIONS and role != "mitigate":
        out.problems.append(_write_role(file, at, f"argocd {body.action}"))
    out.spec = body


def _check_http(data: object, role: str, first_line: int, file: str, out: ParsedBody) -> None:
    at = first_line - 1
    try:
        body = HttpBody.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "body"
            out.problems.append(Problem(file, at, "bad-step-body", f"http {loc}: {err['msg']}"))
        return
    for name in body.headers:
        if _SECRET_HEADER.search(name):
            msg = f"header {name!r} looks like a secret; name an env var with token_env instead"
            out.problems.append(Problem(file, at, "http-literal-secret", msg))
    if body.method not in ("GET", "HEAD") and role != "mitigate":
        out.problems.append(_write_role(file, at, f"http {body.method}"))
    out.spec = body


def _write_role(file: str, line: int, what: str) -> Problem:
    return Problem(
        file, line, "write-needs-mitigate-role", f"{what} changes the platform: use role=mitigate"
    )
