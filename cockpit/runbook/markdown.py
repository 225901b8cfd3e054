"""Split a runbook file into front matter and fenced blocks, keeping line numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from markdown_it import MarkdownIt

Path_ = tuple[str | int, ...]

# libyaml is ten times faster than the pure-Python loader; fall back when it is missing.
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Fence:
    """A fenced code block: its info string, content and 1-based lines in the file."""

    info: str
    content: str
    line: int
    end_line: int
    closed: bool


@dataclass(frozen=True, slots=True)
class Document:
    """A runbook file cut in two: YAML front matter and the Markdown after it."""

    front_matter: str | None
    front_line: int
    body_lines: tuple[str, ...]
    body_line: int


def split(text: str) -> Document:
    """Cut `text` at the `---` lines; front_matter is None if the file does not start with one."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return Document(None, 1, tuple(lines), 1)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return Document(
                "\n".join(lines[1:index]) + "\n", 2, tuple(lines[index + 1 :]), index + 2
            )
    return Document(None, 1, tuple(lines), 1)


def fences(doc: Document) -> list[Fence]:
    """Every fenced code block of the Markdown part, in order (CommonMark rules)."""
    parser = MarkdownIt("commonmark")
    source = "\n".join(doc.body_lines) + "\n"
    found: list[Fence] = []
    for token in parser.parse(source):
        if token.type != "fence" or token.map is None:
            continue
        start, end = token.map
        last = doc.body_lines[end - 1].strip() if end - 1 < len(doc.body_lines) else ""
        closed = end - start >= 2 and last.startswith(token.markup)
        found.append(
            Fence(
                info=token.info.strip(),
                content=token.content,
                line=doc.body_line + start,
                end_line=doc.body_line + end - 1,
                closed=closed,
            )
        )
    return found


def load_yaml(text: str) -> Any:
    """Parse YAML safely (libyaml when available)."""
    return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a SafeLoader


def yaml_lines(text: str) -> dict[Path_, int]:
    """Map each key path of a YAML document to the 1-based line where it starts."""
    lines: dict[Path_, int] = {}
    try:
        root = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        for path, node in _walk(root, ()):
            lines[path] = node.start_mark.line + 1
    return lines


def _walk(node: yaml.Node, path: Path_) -> Iterator[tuple[Path_, yaml.Node]]:
    yield path, node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            yield child, key
            for sub_path, sub in _walk(value, child):
                if sub_path != child:
                    yield sub_path, sub
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index))


def line_of(lines: dict[Path_, int], loc: tuple[Any, ...], default: int) -> int:
    """The line of the longest prefix of `loc` that exists in `lines`."""
    for size in range(len(loc), -1, -1):
        found = lines.get(tuple(loc[:size]))
        if found is not None:
            return found
    return default


def yaml_error_line(error: yaml.YAMLError, default: int) -> int:
    """The 1-based line a YAML error points at (relative to the parsed text)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return int(mark.line) + 1 if mark is not None else default
