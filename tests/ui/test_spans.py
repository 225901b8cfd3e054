"""Partial updates cut on the left (screens/spans.py) leave the terminal showing exactly the
new line, with wide characters, two widgets on one line and any span covering the change."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from cockpit.screens.spans import LeftTrimmedUpdate, safe_start, trimmed

WIDTH = 24
HALF = WIDTH // 2
CONSOLE = Console(color_system="truecolor", width=WIDTH, force_terminal=True)
CHARS = ("a", "b", "7", " ", "日", "本", "é")
STYLES = (Style(), Style(color="red"), Style(bold=True, bgcolor="blue"))


def cells(text: str) -> list[str]:
    """One entry per terminal cell: a wide character, then "" for its second cell."""
    out: list[str] = []
    for character in text:
        out.append(character)
        if cell_len(character) == 2:
            out.append("")
    return out


@st.composite
def lines(draw: st.DrawFn, width: int) -> list[tuple[str, Style]]:
    """Styled runs exactly `width` cells wide."""
    runs: list[tuple[str, Style]] = []
    used = 0
    while used < width:
        text = "".join(draw(st.lists(st.sampled_from(CHARS), min_size=1, max_size=5)))
        fitted = ""
        for character in text:
            if used + cell_len(fitted + character) <= width:
                fitted += character
        if not fitted:
            fitted = " " * (width - used)
        runs.append((fitted, draw(st.sampled_from(STYLES))))
        used += cell_len(fitted)
    return runs


def strip(runs: list[tuple[str, Style]]) -> Strip:
    return Strip([Segment(text, style) for text, style in runs])


class Terminal:
    """One line of an xterm-like grid: cursor moves, colours ignored, and a wide character
    half overwritten loses its other half (blank), as terminals do."""

    MOVE = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[[0-9;]*m|\r|\n|([^\x1b\r\n])", re.S)

    def __init__(self, width: int) -> None:
        self.cells = [" "] * width
        self.x = 0

    def _put(self, x: int, value: str) -> None:
        cells = self.cells
        if cells[x] == "" and x > 0:  # the right half of a wide character: its left goes
            cells[x - 1] = " "
        elif x + 1 < len(cells) and cells[x + 1] == "":  # the left half: its right goes
            cells[x + 1] = " "
        cells[x] = value

    def feed(self, data: str) -> int:
        for match in self.MOVE.finditer(data):
            if match.group(2):
                self.x = int(match.group(2)) - 1
            elif match.group(3):
                character = match.group(3)
                self._put(self.x, character)
                if cell_len(character) == 2:
                    self._put(self.x + 1, "")
                self.x += cell_len(character)
        return len(data.encode())

    @property
    def display(self) -> str:
        return "".join(self.cells)


def test_safe_start_never_cuts_a_wide_character() -> None:
    line = Strip([Segment("ab"), Segment("日本", Style(bold=True)), Segment("c")])
    assert [safe_start(line, n) for n in range(8)] == [0, 1, 2, 2, 4, 4, 6, 7]


@given(
    lines(HALF),
    lines(HALF),
    lines(HALF),
    lines(HALF),
    st.integers(0, WIDTH),
    st.integers(0, WIDTH),
)
def test_the_terminal_shows_the_new_line_whatever_the_span(
    old_a: list[tuple[str, Style]],
    old_b: list[tuple[str, Style]],
    new_a: list[tuple[str, Style]],
    new_b: list[tuple[str, Style]],
    slack_left: int,
    slack_right: int,
) -> None:
    old, new = old_a + old_b, new_a + new_b
    before, after = cells("".join(t for t, _ in old)), cells("".join(t for t, _ in new))
    changed = [i for i, (o, n) in enumerate(zip(before, after, strict=True)) if o != n]
    # Any span that covers the changed cells (what Textual is asked to repaint).
    x1 = max(0, (changed[0] if changed else 0) - slack_left % 4)
    x2 = min(WIDTH, (changed[-1] + 1 if changed else 1) + slack_right % 4)
    # A span never ends inside a wide character (Textual's own right cut would split it);
    # it may start inside one, which the left cut must handle.
    while x2 < WIDTH and "" in (before[x2], after[x2]):
        x2 += 1
    sent: list[int] = []
    for kind in (ChopsUpdate, LeftTrimmedUpdate):
        terminal = Terminal(WIDTH)
        terminal.feed("\x1b[1;1H" + strip(old).render(CONSOLE))
        assert terminal.display == "".join(t for t, _ in old)
        # Two widgets side by side: two chops, each with its own left edge.
        chops = [{0: strip(new_a), HALF: strip(new_b)}]
        update = kind(chops, [(0, x1, x2)], [[HALF, WIDTH]])
        sent.append(terminal.feed(update.render_segments(CONSOLE)))
        assert terminal.display == "".join(t for t, _ in new), kind.__name__
    assert sent[1] <= sent[0]


def test_only_partial_updates_are_rewrapped() -> None:
    update = ChopsUpdate([{0: Strip([Segment("x")])}], [(0, 0, 1)], [[1]])
    assert isinstance(trimmed(update), LeftTrimmedUpdate)
    assert trimmed(None) is None
    assert trimmed("text") == "text"
