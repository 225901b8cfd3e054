"""Column fitting and line rendering for VirtualTable: cells in, one Strip per screen line out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ._table_model import Align, Cell, Column

GAP = 1
"""Blank cells between two columns."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A column that made it on screen: its index in the column list, width and alignment."""

    index: int
    width: int
    align: Align


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns shown at a given width, left to right."""

    width: int
    slots: tuple[Slot, ...]
    total: int

    @property
    def dropped(self) -> int:
        """How many columns had to be left out."""
        return self.total - len(self.slots)


def _needed(columns: Sequence[Column], kept: list[int]) -> int:
    return sum(columns[i].base_width for i in kept) + GAP * max(0, len(kept) - 1)


def fit_columns(columns: Sequence[Column], width: int) -> Layout:
    """Choose and size the columns for `width` cells.

    Whole columns are dropped (lowest `priority` first, rightmost first among equals) before
    any cell is truncated; the last column standing is kept even if it must be cut. Spare
    width goes to flexible columns in proportion to their `ratio`.
    """
    width = max(0, width)
    kept = list(range(len(columns)))
    drop_order = sorted(kept, key=lambda i: (columns[i].priority, -i))
    for victim in drop_order:
        if len(kept) <= 1 or _needed(columns, kept) <= width:
            break
        kept.remove(victim)
    sizes = {i: columns[i].base_width for i in kept}
    flexible = [i for i in kept if columns[i].width is None]
    spare = width - _needed(columns, kept)
    if spare > 0 and flexible:
        ratios = sum(columns[i].ratio for i in flexible)
        given = 0
        for i in flexible:
            share = spare * columns[i].ratio // ratios
            sizes[i] += share
            given += share
        # Integer division leaves a few cells; the last flexible column takes them.
        sizes[flexible[-1]] += spare - given
    slots = tuple(Slot(i, sizes[i], columns[i].align) for i in kept)
    return Layout(width, slots, len(columns))


def fit_cell(cell: Cell, width: int, align: Align) -> Text:
    """One cell as exactly `width` cells of plain Text, ending in "…" when it had to be cut."""
    if width <= 0:
        return Text(end="")
    text = cell.copy() if isinstance(cell, Text) else Text(cell, end="")
    text.end = ""
    text.no_wrap = True
    length = text.cell_len
    if length > width:
        text.truncate(width, overflow="ellipsis")
        text.align("left", width)
    elif align == "right":
        text.pad_left(width - length)
    else:
        text.pad_right(width - length)
    return text


def render_cells(cells: Sequence[Cell], layout: Layout, console: Console, style: Style) -> Strip:
    """Render a row (or the header) as a Strip of `layout.width` cells in `style`.

    A string of one-cell characters (nearly every cell) becomes one segment, cut or padded
    here (see NARROW): Rich's
    Text (copy, truncate, pad, render) and three intermediate Strips cost about 4 times more,
    and a page of rows is drawn on every scroll key. Styled cells and other characters go
    through Text, and a lone column wider than the line through the general path.
    """
    used = sum(slot.width for slot in layout.slots) + GAP * max(0, len(layout.slots) - 1)
    if used > layout.width:
        return _render_cells_text(cells, layout, console, style)
    segments: list[Segment] = []
    for n, slot in enumerate(layout.slots):
        if n:
            segments.append(_GAP)
        cell = cells[slot.index] if slot.index < len(cells) else ""
        width = slot.width
        if isinstance(cell, str) and _plain(cell):
            segments.append(Segment(_fit(cell, width, slot.align)))
        elif isinstance(cell, Text) and _plain(cell.plain) and (one := _one_style(cell)):
            segments.extend(_styled(cell.plain, width, slot.align, console.get_style(one[0]),
                                    padded=one[1]))  # fmt: skip
        else:  # the cell's own style becomes a span, as in any Text line
            line = Text(end="", no_wrap=True)
            line.append_text(fit_cell(cell, width, slot.align))
            segments.extend(line.render(console))
    styled = list(Segment.apply_style(segments, style))
    if used < layout.width:
        styled.append(Segment(" " * (layout.width - used), style))
    return Strip(Segment.simplify(styled), layout.width)


_GAP = Segment(" " * GAP)


NARROW = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("—…·|█▏▎▍▌▋▊▉▁▂▃▄▅▆▇↑↓→")
"""Characters one cell wide: printable ASCII and the panes' own glyphs (dash, ellipsis,
gauges, sparklines, trend arrows)."""


def _plain(text: str) -> bool:
    """One cell per character, so cutting and padding count characters."""
    return (text.isascii() and text.isprintable()) or NARROW.issuperset(text)


def _one_style(cell: Text) -> tuple[str | Style, bool] | None:
    """The one style of a Text styled as a whole, and whether it covers padding too (a base
    style does, a span over the text does not); None for anything else."""
    spans, style = cell.spans, cell.style
    if not spans:
        return (style, True) if style else None
    if style or len(spans) != 1:
        return None
    span = spans[0]
    return (span.style, False) if span.start == 0 and span.end == len(cell.plain) else None


def _styled(text: str, width: int, align: Align, style: Style, *, padded: bool) -> list[Segment]:
    """Segments of `_fit(text, ...)` in `style`, with or without the padding."""
    fitted = _fit(text, width, align)
    if padded or len(text) >= width:
        return [Segment(fitted, style)]
    pad = Segment(" " * (width - len(text)))
    body = Segment(text, style)
    return [pad, body] if align == "right" else [body, pad]


def _fit(text: str, width: int, align: Align) -> str:
    """`fit_cell` for printable ASCII: cut with "…", or padded to `width`."""
    if width <= 0:
        return ""
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.rjust(width) if align == "right" else text.ljust(width)


def _render_cells_text(
    cells: Sequence[Cell], layout: Layout, console: Console, style: Style
) -> Strip:
    line = Text(end="", no_wrap=True)
    for n, slot in enumerate(layout.slots):
        if n:
            line.append(" " * GAP)
        cell = cells[slot.index] if slot.index < len(cells) else ""
        line.append_text(fit_cell(cell, slot.width, slot.align))
    return _to_strip(line, layout.width, console, style)


def render_text(text: Text, width: int, console: Console, style: Style) -> Strip:
    """Render a single free line (status, empty state) cut with an ellipsis to `width`."""
    return _to_strip(fit_cell(text, width, "left"), width, console, style)


def _to_strip(line: Text, width: int, console: Console, style: Style) -> Strip:
    if line.cell_len > width:
        line = fit_cell(line, width, "left")
    strip = Strip(line.render(console), line.cell_len)
    return strip.apply_style(style).adjust_cell_length(width, style).simplify()
