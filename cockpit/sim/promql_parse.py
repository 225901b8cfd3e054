"""Tokenizer and parser for the small PromQL subset the demo's Prometheus answers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

AGGREGATIONS = frozenset({"sum", "max", "min", "avg", "count"})
FUNCTIONS = frozenset({"sort", "sort_desc", "abs"})
COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
_LEVELS = (COMPARISONS, frozenset({"+", "-"}), frozenset({"*", "/", "%"}))

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
    | (?P<op>==|!=|=~|!~|>=|<=|[-+*/%^(){}\[\],=<>@])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


class PromQLError(ValueError):
    """A query outside the supported subset, or malformed; the message is one line."""


@dataclass(frozen=True, slots=True)
class Number:
    """A number literal."""

    value: float


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher: `op` is one of = != =~ !~."""

    name: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Selector:
    """An instant vector selector; the metric name, if any, is a `__name__` matcher."""

    matchers: tuple[Matcher, ...]


@dataclass(frozen=True, slots=True)
class Aggregate:
    """sum/max/min/avg/count, grouped `by` (or `without`) some labels."""

    op: str
    expr: Node
    labels: tuple[str, ...]
    without: bool


@dataclass(frozen=True, slots=True)
class Call:
    """A supported function applied to one argument."""

    name: str
    arg: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operation; `on` is None for default matching, else (is_on, labels)."""

    op: str
    lhs: Node
    rhs: Node
    bool_: bool
    on: tuple[bool, tuple[str, ...]] | None


Node = Number | Selector | Aggregate | Call | Binary


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise PromQLError(
                f"parse error at char {pos + 1}: unexpected {text[pos:].strip()[:1]!r}"
            )
        kind = match.lastgroup or "op"
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def parse(text: str) -> Node:
    """Parse `text` into a tree; raise PromQLError naming the problem."""
    parser = _Parser(_tokens(text))
    if not parser.toks:
        raise PromQLError("empty query: give a PromQL expression")
    node = parser.expr(0)
    if parser.peek() is not None:
        raise PromQLError(f"parse error: unexpected {parser.peek()!r} after the expression")
    return node


class _Parser:
    def __init__(self, toks: list[tuple[str, str]]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def skip(self, word: str) -> bool:
        """Consume `word` if it comes next."""
        found = self.peek() == word
        self.i += found
        return found

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise PromQLError(
                f"parse error: unexpected end of query (expected {expected or 'more'!r})"
            )
        tok = self.toks[self.i]
        if expected is not None and tok[1] != expected:
            raise PromQLError(f"parse error: expected {expected!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def expr(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        node = self.expr(level + 1)
        while self.peek() in _LEVELS[level]:
            op = self.take()[1]
            bool_, on = self.skip("bool"), self.matching()
            node = Binary(op, node, self.expr(level + 1), bool_, on)
        if self.peek() in {"and", "or", "unless", "^"}:
            raise PromQLError(f"operator {self.peek()!r} is not supported by the demo's PromQL")
        return node

    def matching(self) -> tuple[bool, tuple[str, ...]] | None:
        if self.peek() not in ("on", "ignoring"):
            return None
        on = (self.take()[1] == "on", self.label_list())
        if self.peek() in ("group_left", "group_right"):
            raise PromQLError("many-to-one matching (group_left/right) is not supported")
        return on

    def unary(self) -> Node:
        if self.peek() in ("-", "+"):
            sign = -1.0 if self.take()[1] == "-" else 1.0
            return Binary("*", Number(sign), self.unary(), False, None)
        node = self.primary()
        if self.peek() in ("[", "offset", "@"):
            raise PromQLError("range vectors, offset and @ are not supported by the demo")
        return node

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Number(float(value))
        if value == "(":
            node = self.expr(0)
            self.take(")")
            return node
        if value == "{":
            return self.selector(None)
        if kind != "ident":
            raise PromQLError(f"parse error: unexpected {value!r}")
        if value.lower() in ("inf", "nan"):
            return Number(float(value))
        if value in AGGREGATIONS:
            return self.aggregate(value)
        if self.peek() == "(":
            if value not in FUNCTIONS:
                raise PromQLError(f"function {value}() is not supported by the demo's PromQL")
            self.take("(")
            arg = self.expr(0)
            self.take(")")
            return Call(value, arg)
        if self.peek() == "{":
            self.take("{")
            return self.selector(value)
        return Selector((Matcher("__name__", "=", value),))

    def aggregate(self, op: str) -> Aggregate:
        # The grouping clause may come before or after the argument, not both.
        grouping = self.grouping()
        self.take("(")
        inner = self.expr(0)
        self.take(")")
        without, labels = grouping or self.grouping() or (False, ())
        return Aggregate(op, inner, labels, without)

    def grouping(self) -> tuple[bool, tuple[str, ...]] | None:
        if self.peek() not in ("by", "without"):
            return None
        return self.take()[1] == "without", self.label_list()

    def label_list(self) -> tuple[str, ...]:
        self.take("(")
        names: list[str] = []
        while self.peek() != ")":
            names.append(self.label_name())
            self.skip(",")
        self.take(")")
        return tuple(names)

    def label_name(self) -> str:
        kind, name = self.take()
        if kind != "ident":
            raise PromQLError(f"parse error: expected a label name, found {name!r}")
        return name

    def selector(self, name: str | None) -> Selector:
        matchers = [Matcher("__name__", "=", name)] if name else []
        while self.peek() != "}":
            label = self.label_name()
            op = self.take()[1]
            if op not in ("=", "!=", "=~", "!~"):
                raise PromQLError(f"parse error: bad label matcher operator {op!r}")
            kind, raw = self.take()
            if kind != "str":
                raise PromQLError(f"parse error: label value must be a quoted string, got {raw!r}")
            value = _unquote(raw)
            if op in ("=~", "!~"):
                compiled(value)
            matchers.append(Matcher(label, op, value))
            self.skip(",")
        self.take("}")
        if not any(not _matches_empty(m) for m in matchers):
            raise PromQLError("vector selector must contain at least one non-empty matcher")
        return Selector(tuple(matchers))


def _matches_empty(m: Matcher) -> bool:
    if m.op in ("=", "!="):
        return (m.value == "") == (m.op == "=")
    matched = compiled(m.value).fullmatch("") is not None
    return matched == (m.op == "=~")


@functools.lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern[str]:
    """A label regex (anchored at use through fullmatch), or PromQLError if it is invalid."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise PromQLError(f"invalid regular expression {pattern!r}: {exc}") from None


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)
