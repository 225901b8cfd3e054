"""`exec`, `http` and `check` steps: a local argv without shell, one HTTP request, a manual tick."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from cockpit.runbook.bodies import PLACEHOLDER
from cockpit.runbook.exec.base import (
    MAX_TEXT,
    Plan,
    StepFailure,
    StepResult,
    StepTargets,
    seconds,
    text_result,
)
from cockpit.runbook.exec.stream import OutputStream, run_streamed
from cockpit.runbook.exec.toolbox import Toolbox
from cockpit.runbook.model import Step
from cockpit.runbook.spec import HttpBody
from cockpit.sanitize import clean


def plan_exec(step: Step, values: Mapping[str, str], targets: StepTargets | None = None) -> Plan:
    """The argv: a placeholder is always a whole item, so a value can never add arguments."""
    argv: list[str] = []
    for item in step.spec if isinstance(step.spec, tuple) else ():
        whole = PLACEHOLDER.fullmatch(item.strip())
        argv.append(values[whole.group(1)] if whole else item)
    if not argv:
        raise StepFailure(f"step '{step.id}' has no argv")
    shown = " ".join(shlex.quote(a) for a in argv)
    what = f"argv (no shell): {argv!r}\nas a command line: {shown}"
    if targets is not None and targets.toolbox is not None:
        what += "\nruns in the simulated toolbox: no program of this host is started"
    return Plan("exec", what, tuple(argv))


def run_exec(
    argv: tuple[str, ...],
    targets: StepTargets,
    deadline_s: float,
    stream: OutputStream | None = None,
) -> StepResult:
    """Run `argv` with no shell and no stdin, its output streamed into `stream`; killed at
    the deadline. The result holds the (bounded, sanitised) output either way."""
    if not targets.exec_allowed:
        raise StepFailure("local commands are disabled in this session", "refused")
    out = stream if stream is not None else OutputStream()
    if targets.toolbox is not None:
        return _run_in_toolbox(argv, targets.toolbox, out)
    try:
        done = run_streamed(argv, deadline_s, out)
    except OSError as exc:
        raise StepFailure(f"cannot start {clean(argv[0], max_len=80)}: {exc.strerror}") from exc
    text, dropped = out.text()
    body = text[-MAX_TEXT:]
    truncated = dropped or len(text) > MAX_TEXT
    if done.timed_out:
        name = clean(argv[0], max_len=80, single_line=True)
        summary = f"{name} still running after {deadline_s:.0f}s: killed"
        return StepResult("timeout", summary, text=body, truncated=truncated)
    outcome = "ok" if done.returncode == 0 else "failed"
    return StepResult(outcome, f"exit status {done.returncode}", text=body, truncated=truncated)


def _run_in_toolbox(argv: tuple[str, ...], toolbox: Toolbox, out: OutputStream) -> StepResult:
    """The simulated session's answer: no process is started, whatever PATH says."""
    code, text = toolbox.run(argv)
    for line in text.splitlines():
        out.add(line)
    body, dropped = out.text()
    outcome = "ok" if code == 0 else "failed"
    first = next((line for line in text.splitlines() if line.strip()), "") if code else ""
    summary = f"exit status {code} (simulated toolbox)" + (f": {first}" if first else "")
    summary = clean(summary, max_len=300, single_line=True)
    return StepResult(outcome, summary, text=body[-MAX_TEXT:], truncated=dropped)


@dataclass(frozen=True, slots=True)
class HttpCall:
    """A request ready to send; the token is read from the environment only when sent."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: Any
    token_env: str | None


def plan_http(step: Step, values: Mapping[str, str], targets: StepTargets | None = None) -> Plan:
    """The request with values percent-encoded in the URL; the secret shown by name only."""
    spec = step.spec
    if not isinstance(spec, HttpBody):
        raise StepFailure(f"step '{step.id}' has no http body")
    url = PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), spec.url)

    def fill(v: Any) -> Any:
        if isinstance(v, str):
            return PLACEHOLDER.sub(lambda m: values[m.group(1)], v)
        if isinstance(v, dict):
            return {k: fill(x) for k, x in v.items()}
        return v

    call = HttpCall(spec.method, url, fill(dict(spec.headers)), fill(spec.body), spec.token_env)
    lines = [f"{call.method} {url}"]
    lines += [f"{k}: {v}" for k, v in call.headers.items()]
    if call.token_env:
        lines.append(f"Authorization: Bearer <value of ${call.token_env}>")
    if call.body is not None:
        lines.append(f"body: {call.body!r}")
    if targets is not None and targets.toolbox is not None:
        lines.append("answered by the simulated toolbox: nothing leaves this machine")
    return Plan("http", "\n".join(lines), call)


def run_http(call: HttpCall, targets: StepTargets, deadline_s: float) -> StepResult:
    """Send the request within `deadline_s`; 4xx/5xx is a failed step. A simulated session's
    toolbox answers instead, and no token is read."""
    if targets.toolbox is not None:
        status, body = targets.toolbox.request(call.method, call.url)
        if status == 0:
            raise StepFailure(clean(body, max_len=300, single_line=True))
        result = text_result(f"HTTP {status} (simulated)", body)
        outcome = "ok" if status < 400 else "failed"
        return StepResult(outcome, result.summary, text=result.text, truncated=result.truncated)
    headers = dict(call.headers)
    if call.token_env:
        token = targets.environ.get(call.token_env)
        if not token:
            raise StepFailure(f"environment variable {call.token_env} is not set: export the token")
        headers["Authorization"] = f"Bearer {token}"
    kwargs: dict[str, Any] = {"json": call.body} if isinstance(call.body, dict) else {}
    if isinstance(call.body, str):
        kwargs["content"] = call.body
    try:
        with httpx.Client(timeout=deadline_s) as client:
            reply = client.request(call.method, call.url, headers=headers, **kwargs)
    except httpx.TimeoutException as exc:
        raise StepFailure(f"no answer within {deadline_s:.0f}s", "timeout") from exc
    except httpx.HTTPError as exc:
        raise StepFailure(f"request failed: {clean(exc, max_len=200)}") from exc
    result = text_result(f"HTTP {reply.status_code}", reply.text)
    outcome = "ok" if reply.status_code < 400 else "failed"
    return StepResult(outcome, result.summary, text=result.text, truncated=result.truncated)


def plan_check(step: Step, detected_at: datetime | None) -> Plan:
    """The item to tick and, with a deadline, when it is due."""
    text = str(step.spec)
    if step.deadline:
        if detected_at is None:
            text += f"\nDue {step.deadline} after detection (detection time not recorded yet)."
        else:
            due = detected_at + timedelta(seconds=seconds(step.deadline))
            text += f"\nDue by {due.isoformat()} ({step.deadline} after detection)."
    return Plan("check", text, None)


def run_check(plan: Plan) -> StepResult:
    """A manual item: running it is the operator saying it is done."""
    return StepResult("ok", "ticked by the operator", text=plan.what)
