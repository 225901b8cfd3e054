"""A small PostgreSQL lexer: words and punctuation, with strings, dollar quotes and comments
set apart, so that a name inside a literal or a comment is never taken for a call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_WORD_START = re.compile(r"[A-Za-z_\u0080-\U0010ffff]")
_WORD = re.compile(r"[A-Za-z0-9_$\u0080-\U0010ffff]*")
_DOLLAR = re.compile(r"\$([A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")
_PARAM = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)s|\$[0-9]+")
_NUMBER = re.compile(r"[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9][0-9_]*")
_UESCAPE = re.compile(r"\s*uescape\s*'([^'])'", re.IGNORECASE)
_UNICODE = {"\\": re.compile(r"\\(?:\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4}))")}
_STRING_PREFIXES = ("e", "b", "x", "n")


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme: `kind` is word (lower-cased), quoted (an identifier in double quotes,
    lower-cased for matching), string, param, number, op or space (also comments)."""

    kind: str
    value: str
    line: int
    """0-based line of the text where the token starts."""


def sql_tokens(sql: str) -> Iterator[Token]:
    """Tokens of `sql`. Unterminated strings and comments run to the end, as the server reads."""
    pos, line, size = 0, 0, len(sql)
    while pos < size:
        start = pos
        kind, value, pos = _next(sql, pos)
        yield Token(kind, value, line)
        line += sql.count("\n", start, pos)


def _next(sql: str, pos: int) -> tuple[str, str, int]:
    char, rest = sql[pos], sql[pos : pos + 3]
    if char.isspace():
        end = pos + 1
        while end < len(sql) and sql[end].isspace():
            end += 1
        return "space", "", end
    if rest.startswith("--"):
        end = sql.find("\n", pos)
        return "space", "", len(sql) if end < 0 else end
    if rest.startswith("/*"):
        return "space", "", _block_comment_end(sql, pos)
    if char == "'":
        return "string", "", _string_end(sql, pos + 1, backslash=False)
    if char == '"':
        text, end = _quoted(sql, pos + 1)
        return "quoted", text.lower(), end
    if rest[:3].lower() == 'u&"':
        text, end = _quoted(sql, pos + 3)
        escape = _UESCAPE.match(sql, end)
        text = _unescape(text, escape.group(1) if escape else "\\")
        return "quoted", text.lower(), escape.end() if escape else end
    if rest[:3].lower() == "u&'":
        return "string", "", _string_end(sql, pos + 3, backslash=False)
    if char == "$" and (dollar := _DOLLAR.match(sql, pos)):
        close = sql.find(dollar.group(0), dollar.end())
        return "string", "", len(sql) if close < 0 else close + len(dollar.group(0))
    if param := _PARAM.match(sql, pos):
        return "param", param.group(0), param.end()
    if _WORD_START.match(char):
        end = _WORD.match(sql, pos + 1).end()  # type: ignore[union-attr]
        word = sql[pos:end].lower()
        if word in _STRING_PREFIXES and end < len(sql) and sql[end] == "'":
            return "string", "", _string_end(sql, end + 1, backslash=word == "e")
        return "word", word, end
    if (number := _NUMBER.match(sql, pos)) and number.end() > pos:
        return "number", number.group(0), number.end()
    return "op", char, pos + 1


def _block_comment_end(sql: str, pos: int) -> int:
    # Block comments nest in PostgreSQL: /* a /* b */ still a comment */.
    depth, pos = 0, pos
    while pos < len(sql):
        pair = sql[pos : pos + 2]
        if pair == "/*":
            depth, pos = depth + 1, pos + 2
        elif pair == "*/":
            depth, pos = depth - 1, pos + 2
            if depth == 0:
                return pos
        else:
            pos += 1
    return len(sql)


def _string_end(sql: str, pos: int, *, backslash: bool) -> int:
    while pos < len(sql):
        char = sql[pos]
        if backslash and char == "\\":
            pos += 2
        elif char == "'":
            if sql[pos + 1 : pos + 2] == "'":
                pos += 2
            else:
                return pos + 1
        else:
            pos += 1
    return len(sql)


def _quoted(sql: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(sql):
        char = sql[pos]
        if char == '"':
            if sql[pos + 1 : pos + 2] == '"':
                out.append('"')
                pos += 2
                continue
            return "".join(out), pos + 1
        out.append(char)
        pos += 1
    return "".join(out), len(sql)


def _unescape(text: str, escape: str) -> str:
    pattern = _UNICODE.get(escape) or re.compile(
        re.escape(escape) + r"(?:\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4}))"
    )

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    return pattern.sub(one, text)
