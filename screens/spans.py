"""Partial screen updates that start where the change starts, not where the widget starts.

Textual sends a dirty span of a line from the left edge of the widget it falls in: a table
row whose last cells changed (an age, a lag, a sparkline) was sent again from the row's first
cell. Over a slow SSH link that is most of what a poll costs. `trimmed()` wraps Textual's
update so each piece is cut on the left as well, at a character boundary: a double-width
character that the span's first cell falls inside is sent whole.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, RenderableType
from textual._compositor import ChopsUpdate
from textual.strip import Strip

__all__ = ["LeftTrimmedUpdate", "safe_start", "trimmed"]


def safe_start(strip: Strip, start: int) -> int:
    """`start`, moved left to the first cell of the character it falls inside (if wide)."""
    if start <= 0:
        return 0
    position = 0
    for segment in strip:
        text = segment.text
        width = cell_len(text)
        if position + width <= start:
            position += width
            continue
        if width == len(text):  # one cell per character: any cut is on a boundary
            return start
        for character in text:
            size = cell_len(character)
            if position + size > start:
                return position
            position += size
    return start


class LeftTrimmedUpdate(ChopsUpdate):
    """Textual's partial update, with every piece of a line cut to its dirty span."""

    def render_segments(self, console: Console) -> str:
        """The terminal sequences: a cursor move and the changed cells of each span."""
        sequences: list[str] = []
        append = sequences.append
        chops, chop_ends = self.chops, self.chop_ends
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(chop_ends[y], chops[y].items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                left = safe_start(strip, x1 - x) if x1 > x else 0
                right = min(end, x2) - x
                if left or right < strip.cell_length:
                    strip = strip.crop(left, right)
                append(f"\x1b[{y + 1};{x + left + 1}H")
                append(strip.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


def trimmed(update: RenderableType | None) -> RenderableType | None:
    """`update` as a LeftTrimmedUpdate when it is a partial one; anything else unchanged."""
    if type(update) is ChopsUpdate:
        return LeftTrimmedUpdate(update.chops, update.spans, update.chop_ends)
    return update
