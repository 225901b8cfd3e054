"""Read one runbook file into a Runbook, or refuse it with every problem found (file:line)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cockpit.runbook import bodies, markdown
from cockpit.runbook.model import Block, Param, Problem, Prose, Runbook, RunbookError, Step
from cockpit.runbook.safety import safety_problems
from cockpit.runbook.spec import FrontMatter
from cockpit.runbook.steps import build_step, is_step_fence


def parse_runbook(path: Path) -> Runbook:
    """Parse and check the runbook at `path`; raise RunbookError listing every problem."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RunbookError(
            [Problem(file, 1, "unreadable", f"cannot read the file: {exc}")]
        ) from None
    problems: list[Problem] = []
    doc = markdown.split(text)
    front = _front_matter(doc, file, problems)
    params = _params(front, doc, file, problems) if front else ()
    blocks = _blocks(doc, file, params, problems)
    if problems or front is None:
        raise RunbookError(sorted(problems, key=lambda p: p.line))
    return Runbook(
        id=front.id,
        title=front.title,
        severity=front.severity,
        alerts=front.alerts,
        params=params,
        blocks=tuple(blocks),
        path=path,
        owner=front.owner,
    )


def _front_matter(doc: markdown.Document, file: str, problems: list[Problem]) -> FrontMatter | None:
    if doc.front_matter is None:
        msg = "no front matter: the file must start with a --- line, YAML, then ---"
        problems.append(Problem(file, 1, "front-matter-missing", msg))
        return None
    try:
        data: Any = markdown.load_yaml(doc.front_matter)
    except yaml.YAMLError as exc:
        line = doc.front_line + markdown.yaml_error_line(exc, 1) - 1
        problems.append(Problem(file, line, "front-matter-yaml", _yaml_message(exc, doc)))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(file, doc.front_line, "front-matter-yaml", "front matter must be a mapping")
        )
        return None
    try:
        return FrontMatter.model_validate(data)
    except ValidationError as exc:
        lines = markdown.yaml_lines(doc.front_matter)
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = doc.front_line + markdown.line_of(lines, loc, 1) - 1
            problems.append(Problem(file, line, *_front_rule(loc, err["type"], err["msg"])))
        return None


def _yaml_message(exc: yaml.YAMLError, doc: markdown.Document) -> str:
    reason = getattr(exc, "problem", None) or "invalid YAML"
    context = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem_mark", None)
    if context is not None and (problem is None or context.line != problem.line):
        opened = doc.front_line + int(context.line)
        return f"front matter is not valid YAML: {reason} (check what opens at line {opened})"
    return f"front matter is not valid YAML: {reason}"


def _front_rule(loc: tuple[Any, ...], kind: str, msg: str) -> tuple[str, str]:
    where = ".".join(str(p) for p in loc)
    if loc[:1] == ("params",) and loc[-1:] == ("pattern",) and kind == "missing":
        return "param-without-pattern", f"{where}: every parameter needs a pattern (regex)"
    if kind == "extra_forbidden":
        return "unknown-key", f"front matter key '{where}' is not known"
    return "front-matter-field", f"{where}: {msg}"


def _params(
    front: FrontMatter, doc: markdown.Document, file: str, problems: list[Problem]
) -> tuple[Param, ...]:
    lines = markdown.yaml_lines(doc.front_matter or "")
    seen: set[str] = set()
    params: list[Param] = []
    for index, spec in enumerate(front.params):
        key_line = doc.front_line + markdown.line_of(lines, ("params", index, "pattern"), 1) - 1
        default = None if spec.default is None else str(spec.default)
        param = Param(
            spec.name, spec.type, spec.pattern, spec.source, default, spec.description, key_line
        )
        params.append(param)
        if spec.name in seen:
            problems.append(
                Problem(
                    file, key_line, "duplicate-param", f"parameter '{spec.name}' declared twice"
                )
            )
        seen.add(spec.name)
        try:
            compiled = re.compile(spec.pattern)
        except re.error as exc:
            msg = f"parameter '{spec.name}': pattern is not a valid regex ({exc})"
            problems.append(Problem(file, key_line, "invalid-regex", msg))
            continue
        if default is not None and not compiled.fullmatch(default):
            msg = f"parameter '{spec.name}': default {default!r} does not match its pattern"
            problems.append(Problem(file, key_line, "param-default-mismatch", msg))
        if spec.source == "default" and default is None:
            msg = f"parameter '{spec.name}' has source default but no default value"
            problems.append(Problem(file, key_line, "param-missing-default", msg))
    return tuple(params)


def _blocks(
    doc: markdown.Document, file: str, params: tuple[Param, ...], problems: list[Problem]
) -> list[Block]:
    blocks: list[Block] = []
    ids: dict[str, int] = {}
    prose_start = doc.body_line
    for fence in markdown.fences(doc):
        if not is_step_fence(fence.info):
            continue
        step, found = build_step(fence, file, [p.name for p in params])
        problems.extend(found)
        _add_prose(doc, prose_start, fence.line, blocks)
        prose_start = fence.end_line + 1
        if step is None:
            continue
        if step.id in ids:
            msg = f"step id '{step.id}' is already used at line {ids[step.id]}"
            problems.append(Problem(file, step.line, "duplicate-step-id", msg))
        ids.setdefault(step.id, step.line)
        problems.extend(safety_problems(step, file))
        problems.extend(_env_key_problems(step, params, file))
        blocks.append(step)
    _add_prose(doc, prose_start, doc.body_line + len(doc.body_lines), blocks)
    return blocks


def _env_key_problems(step: Step, params: tuple[Param, ...], file: str) -> list[Problem]:
    # A value spliced into a variable name must be unable to form anything but a name.
    types = {p.name: p.type for p in params}
    return [
        Problem(
            file,
            step.line,
            "env-key-param-type",
            f"parameter '{name}' builds an env variable name; declare it with type env_suffix",
        )
        for name in bodies.env_key_params(step.spec)
        if name in types and types[name] != "env_suffix"
    ]


def _add_prose(doc: markdown.Document, start: int, stop: int, blocks: list[Block]) -> None:
    lines = doc.body_lines[start - doc.body_line : stop - doc.body_line]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        text = "\n".join(lines[first:]).rstrip()
        blocks.append(Prose(text=text, line=start + first))
