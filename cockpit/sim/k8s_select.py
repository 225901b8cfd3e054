"""Label and field selectors as the Kubernetes API parses them (the subset clients send)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Predicate = Callable[[Any], bool]

_SET_TERM = re.compile(r"^\s*([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ_TERM = re.compile(r"^\s*(!?)([A-Za-z0-9./_-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9._-]*))?\s*$")


class SelectorError(ValueError):
    """A selector the API would reject (the fake answers 400)."""


def _split_terms(text: str) -> list[str]:
    # Commas inside `in (a,b)` do not separate terms.
    terms, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    return [t for t in terms if t.strip()]


@dataclass(frozen=True, slots=True)
class Requirement:
    """One parsed selector term."""

    key: str
    op: str  # one of =, !=, in, notin, exists, !exists
    values: frozenset[str] = frozenset()

    def matches(self, value: str | None) -> bool:
        """Whether an object's value for `key` (None: absent) satisfies the term."""
        if self.op == "exists":
            return value is not None
        if self.op == "!exists":
            return value is None
        if self.op in ("=", "in"):
            return value in self.values
        return value not in self.values


def parse_labels(text: str) -> list[Requirement]:
    """Parse `app=ocr-svc,tier!=db,canary,!legacy,env in (a,b)`."""
    requirements = []
    for term in _split_terms(text):
        set_match = _SET_TERM.match(term)
        if set_match:
            key, op, raw = set_match.groups()
            values = frozenset(v.strip() for v in raw.split(",") if v.strip())
            requirements.append(Requirement(key, op, values))
            continue
        eq_match = _EQ_TERM.match(term)
        if not eq_match or (eq_match.group(1) and eq_match.group(3)):
            raise SelectorError(f"unable to parse requirement: {term.strip()!r}")
        negate, key, op, value = eq_match.groups()
        if op is None:
            requirements.append(Requirement(key, "!exists" if negate else "exists"))
        else:
            requirements.append(Requirement(key, "!=" if op == "!=" else "=", frozenset([value])))
    return requirements


def label_selector(text: str | None) -> Callable[[Mapping[str, str]], bool]:
    """Compile a label selector into a predicate on a labels mapping."""
    requirements = parse_labels(text or "")
    return lambda labels: all(r.matches(labels.get(r.key)) for r in requirements)


def field_selector(text: str | None) -> Predicate:
    """Compile `involvedObject.name=x,type!=Normal` into a predicate on whole objects."""
    requirements = []
    for term in _split_terms(text or ""):
        for op in ("!=", "==", "="):
            path, sep, value = term.partition(op)
            if sep:
                break
        else:
            raise SelectorError(f"invalid field selector term {term.strip()!r}: need key=value")
        kind = "!=" if op == "!=" else "="
        requirements.append(Requirement(path.strip(), kind, frozenset([value.strip()])))
    return lambda obj: all(r.matches(_lookup(obj, r.key.split("."))) for r in requirements)


def _lookup(obj: Any, keys: list[str]) -> str:
    # Field selectors compare absent fields as the empty string.
    node = obj
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return "" if node is None else str(node)
