"""The one sanitiser for text from outside: controls, escapes and bidi overrides removed."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidi overrides and
# isolates that can make a terminal line read differently from what it contains.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_ESCAPE_SEQ = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?"
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"
)


def clean(text: object, *, max_len: int | None = None, single_line: bool = False) -> str:
    """Return `text` as a safe string: escape sequences and control characters removed.

    Whole ESC/CSI/OSC sequences are dropped first so their parameters do not leak as text.
    `single_line` also turns newlines and tabs into spaces (table cells, headers).
    """
    value = text if isinstance(text, str) else str(text)
    value = _ESCAPE_SEQ.sub("", value)
    value = _UNSAFE.sub("", value)
    if single_line:
        value = value.replace("\n", " ").replace("\t", " ")
    if max_len is not None and len(value) > max_len:
        value = value[: max(0, max_len - 1)] + "…"
    return value
