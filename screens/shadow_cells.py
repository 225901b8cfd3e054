"""Strips as terminal cells: one text and one style key per cell, or None when unsure.

A cell is what one column of the terminal shows: its character (with any combining marks
after it) and the SGR parameters Textual writes for its style. A double-width character
takes two cells: its text, then "" with the same style. Text whose width a terminal may see
differently from Rich (controls, zero-width joiners, variation selectors, the emoji planes, a
combining mark with nothing before it) is not modelled: `fill` says so, and the line is then written
as Textual writes it and forgotten.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.style import Style
from textual.strip import Strip

__all__ = ["Cells", "fill", "repair", "style_key", "sure_width"]

Cells = list[str | None]
"""One entry per column: a cell's text, or its style key; None where it is not known."""

_UNSURE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_kinds: dict[str, int] = {}
"""Character kind cache: 1 or 2 (its width), 0 (a combining mark), -1 (unsure)."""


def _kind(character: str) -> int:
    kind = _kinds.get(character)
    if kind is None:
        kind = _kinds[character] = _classify(character)
    return kind


def _classify(character: str) -> int:
    code = ord(character)
    category = unicodedata.category(character)
    if category in _UNSURE_CATEGORIES or code >= 0x1F000 or 0xFE00 <= code <= 0xFE0F:
        return -1
    width = cell_len(character)
    if width == 0:
        return 0 if category in ("Mn", "Me") else -1
    wide = unicodedata.east_asian_width(character) in ("W", "F")
    return width if (width == 2) == wide else -1


def sure_width(text: str) -> bool:
    """Whether every terminal agrees that `text` takes one cell per character (ASCII, box
    drawing and block elements): the cursor's column after it is then known."""
    return text.isascii() or all(c.isascii() or "\u2500" <= c <= "\u259f" for c in text)


def style_key(style: Style | None, color_system: ColorSystem) -> str:
    """The SGR parameters Textual writes for `style` ("" for none), plus its link if any."""
    if style is None:
        return ""
    ansi = style._ansi
    if ansi is None:
        ansi = Strip.render_ansi(style, color_system)
    link = style._link
    return f"{ansi}\x00{link}" if link else ansi


def fill(
    strips: Iterable[Strip],
    x: int,
    texts: Cells,
    keys: Cells,
    color_system: ColorSystem,
    links: dict[str, Style],
) -> int:
    """Write the cells of `strips` into `texts`/`keys` from column `x`; the column after the
    last cell, or -1 if some text is unsure or runs past the line (nothing sure is then
    known about the columns from `x`)."""
    width = len(texts)
    for strip in strips:
        for text, style, control in strip:
            if control is not None or not text:
                if text:
                    return -1
                continue
            key = style_key(style, color_system)
            if style is not None and style._link:
                links[key] = style
            if text.isascii():
                end = x + len(text)
                if end > width or not text.isprintable():
                    return -1
                texts[x:end] = text
                keys[x:end] = [key] * len(text)
                x = end
                continue
            start = x
            for character in text:
                kind = _kind(character)
                if kind == 1 and x < width:
                    texts[x] = character
                    keys[x] = key
                    x += 1
                elif kind == 2 and x + 1 < width:
                    texts[x] = character
                    texts[x + 1] = ""
                    keys[x] = keys[x + 1] = key
                    x += 2
                elif kind == 0 and x > start:
                    base = x - 2 if texts[x - 1] == "" else x - 1
                    texts[base] = f"{texts[base]}{character}"
                else:
                    return -1
    return x


def repair(texts: Cells, keys: Cells, edge: int) -> None:
    """Where new cells meet old ones at column `edge`, a double-width character that lost
    its other half is unknown, and so is the half left behind (a terminal blanks it)."""
    if 0 < edge < len(texts):
        left, right = texts[edge - 1], texts[edge]
        wide = bool(left) and _kind(left[0]) == 2  # type: ignore[index]
        if right == "" and not wide:
            texts[edge] = keys[edge] = None
        elif wide and right != "":
            texts[edge - 1] = keys[edge - 1] = None
