"""Find the line of a dotted key in TOML text (tomllib reports lines for syntax errors only)."""

from __future__ import annotations

import re

_BARE = r"[A-Za-z0-9_-]+"
_PART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_SPLIT = re.compile(_PART)


def _parts(dotted: str) -> tuple[str, ...]:
    names = []
    for match in _SPLIT.finditer(dotted):
        token = match.group(0)
        names.append(token[1:-1] if token[0] in "\"'" else token)
    return tuple(names)


class KeyLines:
    """Line numbers (1-based) of every table header and key seen in a TOML document.

    A scan, not a parser: good enough to point at the line a semantic error is about.
    Multi-line strings are skipped so their content is not read as keys.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = _HEADER.match(line)
            if header:
                table = _parts(header.group(1))
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault((*table, *_parts(key.group(1))), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """The line of `path`, else of its nearest enclosing key or table; None if unseen."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None
