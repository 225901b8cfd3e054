"""The part of LogQL the Loki fake understands: selectors, line filters, count_over_time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cockpit.sim.httpfake import ApiError

_STRING = r'"((?:[^"\\]|\\.)*)"'
_MATCHER = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*" + _STRING + r"\s*(,|$)")
_FILTER = re.compile(r"\s*(\|=|!=|\|~|!~)\s*" + _STRING)
_METRIC = re.compile(r"\s*count_over_time\s*\((.*)\[\s*([0-9]+)(s|m|h|d)\s*\]\s*\)\s*$", re.S)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class LogQuery:
    """A parsed query: label matchers, line filters, and a count window for metric queries."""

    matchers: tuple[tuple[str, str, str], ...]
    filters: tuple[tuple[str, str], ...]
    count_window_s: int | None = None

    def selects(self, labels: Mapping[str, str]) -> bool:
        """True when the stream's labels match every matcher."""
        for name, op, value in self.matchers:
            have = labels.get(name, "")
            hit = re.fullmatch(value, have) is not None if "~" in op else have == value
            if hit != op.startswith("="):
                return False
        return True

    def keeps(self, line: str) -> bool:
        """True when the line passes every filter."""
        for op, value in self.filters:
            hit = re.search(value, line) is not None if "~" in op else value in line
            if hit != op.startswith("|"):
                return False
        return True


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse(query: str) -> LogQuery:
    """Parse `query` or answer 400 with a parse error, as Loki does."""
    window = None
    metric = _METRIC.match(query)
    if metric is not None:
        query, window = metric.group(1), int(metric.group(2)) * _UNITS[metric.group(3)]
    text = query.strip()
    if not text.startswith("{") or "}" not in text:
        raise ApiError(400, f"parse error : syntax error: unexpected input {text[:20]!r}")
    end = _selector_end(text)
    inner, rest = text[1:end], text[end + 1 :]
    matchers, pos = [], 0
    while pos < len(inner.rstrip()):
        found = _MATCHER.match(inner, pos)
        if found is None:
            raise ApiError(400, f"parse error : bad matcher near {inner[pos : pos + 20]!r}")
        matchers.append((found.group(1), found.group(2), _unescape(found.group(3))))
        pos = found.end()
    if not any(op in ("=", "=~") and value for _, op, value in matchers):
        raise ApiError(400, "parse error : queries require at least one regexp or equality "
                            "matcher that does not have an empty-compatible value")  # fmt: skip
    filters, pos = [], 0
    while pos < len(rest.rstrip()):
        found = _FILTER.match(rest, pos)
        if found is None:
            raise ApiError(400, f"the Loki fake understands only line filters: {rest[pos:]!r}")
        filters.append((found.group(1), _unescape(found.group(2))))
        pos = found.end()
    for _name, op, value in matchers:
        if "~" in op:
            _compile(value)
    for op, value in filters:
        if "~" in op:
            _compile(value)
    return LogQuery(tuple(matchers), tuple(filters), window)


def _selector_end(text: str) -> int:
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "}" and not quoted:
            return i
    raise ApiError(400, "parse error : unclosed stream selector")


def _compile(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ApiError(400, f"parse error : invalid regex {pattern!r}: {exc}") from None
