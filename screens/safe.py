"""The one rendering rule for text from outside: sanitised, and never markup or Markdown.

Labels, names, results, titles and errors reach the screen through these helpers only:
`plain` for widgets (a `Text`, so Rich/Textual markup is never parsed), `plain_str` where an
API takes a string with markup switched off (notifications), and `md_code`/`md_text` where a
value must sit inside Markdown prose (the runbook screen): there it cannot close a code span,
open emphasis, a link, an image, HTML or a heading.
"""

from __future__ import annotations

import re

from rich.text import Text

from cockpit.sanitize import clean

_BACKTICK_RUN = re.compile(r"`+")
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets a backslash make each one literal."""


def plain_str(text: object, *, single_line: bool = False, max_len: int | None = None) -> str:
    """`text` sanitised, for an API that takes a string and is told not to parse markup."""
    return clean(text, single_line=single_line, max_len=max_len)


def plain(
    text: object, *, single_line: bool = False, max_len: int | None = None, style: str = ""
) -> Text:
    """`text` sanitised as a `Text`: shown exactly, `[b]` and `[/]` included."""
    return Text(plain_str(text, single_line=single_line, max_len=max_len), style=style)


def md_code(text: object, *, max_len: int | None = None) -> str:
    """`text` as one Markdown code span that nothing inside can close.

    The fence is one backtick longer than the longest run of backticks in the value, and
    spaces pad both ends (CommonMark strips one on each side), so a value starting or ending
    with a backtick stays whole. Inside a code span, Markdown is not parsed.
    """
    value = clean(text, single_line=True, max_len=max_len)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if not value.strip():  # CommonMark keeps all-space content as is; empty shows one space
        return f"{fence}{value or ' '}{fence}"
    return f"{fence} {value} {fence}"


def md_text(text: object, *, max_len: int | None = None) -> str:
    """`text` as literal Markdown inline text: every ASCII punctuation backslash-escaped,
    on one line, without edge spaces (no heading, list, table, fence or code block starts)."""
    value = clean(text, single_line=True, max_len=max_len).strip()  # 4 spaces: a code block
    return _MD_PUNCT.sub(r"\\\1", value)
