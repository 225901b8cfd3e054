"""Updates written through the shadow (screens/shadow.py) leave the terminal showing exactly
what Textual's own bytes show: same text, same styles, cell by cell, whatever the updates
(full or partial, wide and combining characters, styles, links, text of unsure width,
resizes, another screen, a suspend), and in fewer bytes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip
from xterm_model import Xterm

from cockpit.screens.shadow import Shadow, ShadowUpdate
from cockpit.screens.shadow_write import Carry

CONSOLE = Console(color_system="truecolor", width=80, force_terminal=True)
UNITS = ("a", "b", "7", " ", " ", "日", "本", "é", "e\u0301", "─", "▆", "😀", "☀", "🄀", "a\u200b")
"""What a cell may hold: narrow, wide, combining, box drawing, and text of unsure width."""
STYLES = (
    None,
    Style(),
    Style(color="red"),
    Style(bold=True, bgcolor="blue"),
    Style(color="red", bgcolor="blue"),
    Style(italic=True, color="#ff8800", bgcolor="#102030"),
    Style(underline=True, link="https://example.invalid/a"),
)


@st.composite
def runs(
    draw: st.DrawFn,
    width: int,
    units: tuple[str, ...] = UNITS,
    styles: tuple[Style | None, ...] = STYLES,
) -> Strip:
    """A strip exactly `width` cells wide, in styled runs."""
    segments: list[Segment] = []
    used = 0
    while used < width:
        text = ""
        for unit in draw(st.lists(st.sampled_from(units), min_size=1, max_size=5)):
            if used + cell_len(text + unit) <= width:
                text += unit
        text = text or " " * (width - used)
        segments.append(Segment(text, draw(st.sampled_from(styles))))
        used += cell_len(text)
    return Strip(segments, width)


@st.composite
def chopped_line(draw: st.DrawFn, width: int) -> dict[int, Strip]:
    """A line cut in chops (widgets side by side), each with its own strip."""
    cuts = sorted(draw(st.sets(st.integers(1, width - 1), max_size=2)))
    edges = [0, *cuts, width]
    return {x: draw(runs(end - x)) for x, end in itertools.pairwise(edges)}


@dataclass
class Driver:
    """What Shadow.wrap reads of Textual's driver."""

    is_inline: bool = False
    _writer_thread: object = field(default_factory=object)
    carry: Carry = field(default_factory=Carry)


@dataclass
class FakeApp:
    """What Shadow.wrap reads of a Textual app."""

    size: tuple[int, int]
    _driver: Driver = field(default_factory=Driver)
    console: Console = CONSOLE


class Pair:
    """Two terminals fed the same updates: one Textual's bytes, one the shadow's."""

    def __init__(self, width: int, height: int, wide: frozenset[str] = frozenset()) -> None:
        self.app = FakeApp((width, height))
        self.screen = object()
        self.shadow = Shadow()
        self.plain, self.diffed = Xterm(width, height, wide), Xterm(width, height, wide)
        self.sent = [0, 0]

    def show(self, update: LayoutUpdate | ChopsUpdate) -> None:
        self.sent[0] += self.plain.feed(update.render_segments(CONSOLE))
        wrapped = self.shadow.wrap(self.app, self.screen, update)
        assert isinstance(wrapped, ShadowUpdate)
        # The shadow's own bytes (render_segments would fall back to Textual's on an error),
        # and Textual's cursor move after them, through the driver's SGR carry.
        park = "\x1b[1;1H"  # not counted: Textual writes it after either output
        frame = self.shadow.render(wrapped.update, CONSOLE) + park
        self.sent[1] += self.diffed.feed(self.app._driver.carry.outgoing(frame)) - len(park)
        assert self.diffed.cells == self.plain.cells
        for y, (texts, keys) in enumerate(zip(self.shadow.texts, self.shadow.keys, strict=True)):
            for x, (text, key) in enumerate(zip(texts, keys, strict=True)):
                assert (text is None) == (key is None)
                assert text is None or text == self.plain.cells[y][x][0], (y, x)

    def other(self, update: LayoutUpdate) -> None:
        """Output that is no frame of the shadow's (Textual's own bytes, which assume no SGR
        in force), to both terminals; the shadow forgets, as `wrap` does for such output."""
        raw = update.render_segments(CONSOLE)
        self.plain.feed(raw)
        self.diffed.feed(self.app._driver.carry.outgoing(raw))
        self.shadow.forget()
        assert self.diffed.cells == self.plain.cells

    def lost(self, width: int, height: int) -> None:
        """The terminal's cells are gone (a resize, another program ran): both alike."""
        self.app.size = (width, height)
        for term in (self.plain, self.diffed):
            term.__init__(width, height, term.wide)  # type: ignore[misc]
            term.scramble()
        self.app._driver.carry.sgr = ""  # a new model terminal has no SGR in force


def full(lines: list[dict[int, Strip]], width: int) -> LayoutUpdate:
    return LayoutUpdate([list(line.values()) for line in lines], Region(0, 0, width, len(lines)))


def partial(
    lines: dict[int, dict[int, Strip]], spans: list[tuple[int, int, int]], size: tuple[int, int]
) -> ChopsUpdate:
    width, height = size
    chops: list[dict[int, Strip | None]] = [dict(lines.get(y, {0: None})) for y in range(height)]
    ends = [[*list(line)[1:], width] for line in chops]
    return ChopsUpdate(chops, spans, ends)


@st.composite
def spans_of(draw: st.DrawFn, ys: list[int], width: int) -> list[tuple[int, int, int]]:
    """One or two separate spans on each line of `ys` (as Textual merges touching ones)."""
    spans: list[tuple[int, int, int]] = []
    for y in sorted(ys):
        edges = sorted(draw(st.sets(st.integers(0, width), min_size=2, max_size=4)))
        pairs = list(zip(edges[::2], edges[1::2], strict=False))
        spans.extend((y, x1, x2) for x1, x2 in pairs if x2 > x1)
    return spans


STEPS = st.sampled_from(
    ["full", "partial", "partial", "partial", "resize", "suspend", "screen", "other"]
)


@pytest.mark.parametrize("wide", [frozenset(), frozenset({"🄀"})], ids=["agreeing", "emoji"])
@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(4, 14), st.integers(1, 4))
def test_every_update_leaves_both_terminals_alike(
    wide: frozenset[str], data: st.DataObject, width: int, height: int
) -> None:
    """Also on a terminal that draws some characters wider than Rich counts them: there
    the shadow writes what Textual writes, no less."""
    pair = Pair(width, height, wide)
    must_be_full = True
    for step in data.draw(st.lists(STEPS, min_size=1, max_size=8)):
        if step == "resize":  # to another size (the same size is no resize for Textual)
            old = (width, height)
            sizes = st.tuples(st.integers(4, 14), st.integers(1, 4))
            width, height = data.draw(sizes.filter(lambda new, old=old: new != old))
            pair.lost(width, height)
            must_be_full = True  # Textual repaints every cell after a resize
        elif step == "suspend":
            pair.lost(width, height)
            pair.app._driver._writer_thread = object()  # application mode started again
            must_be_full = True
        elif step == "screen":
            pair.screen = object()
        elif step == "other":
            pair.other(full([data.draw(chopped_line(width)) for _ in range(height)], width))
        elif step == "full" or must_be_full:
            pair.show(full([data.draw(chopped_line(width)) for _ in range(height)], width))
            must_be_full = False
        else:
            rows = st.integers(0, height - 1)
            ys = data.draw(st.lists(rows, min_size=1, max_size=3, unique=True))
            lines = {y: data.draw(chopped_line(width)) for y in ys}
            spans = data.draw(spans_of(ys, width))
            if spans:
                pair.show(partial(lines, spans, (width, height)))


@given(st.lists(st.integers(0, 11), min_size=1, max_size=6), st.data())
def test_a_few_changed_cells_cost_a_few_bytes(changes: list[int], data: st.DataObject) -> None:
    width = 12
    pair = Pair(width, 1)
    narrow = ("a", "b", "7", " ", "─")
    old = data.draw(runs(width, narrow, STYLES[:-1]))  # no link (its id alone is 20 bytes)
    pair.show(full([{0: old}], width))
    cells = [(segment.text[i], segment.style) for segment in old for i in range(len(segment.text))]
    for x in changes:
        cells[x] = ("Z" if cells[x][0] != "Z" else "Y", cells[x][1])
    new = Strip([Segment(text, style) for text, style in cells], width)
    pair.sent = [0, 0]
    pair.show(partial({0: {0: new}}, [(0, 0, width)], (width, 1)))
    assert pair.sent[1] <= pair.sent[0]
    # At most a move, an SGR of this palette and a cell per change; never the line again.
    assert pair.sent[1] <= len(set(changes)) * (len("\x1b[1;12H") + 40 + 1) + len("\x1b[0m")


def test_an_unchanged_line_sends_nothing() -> None:
    pair = Pair(10, 2)
    line = {0: Strip([Segment("abc日本", Style(color="red")), Segment("xyz")], 10)}
    pair.show(full([line, line], 10))
    pair.sent = [0, 0]
    pair.show(full([line, line], 10))
    pair.show(partial({1: line}, [(1, 0, 10)], (10, 2)))
    assert pair.sent[1] == 0 < pair.sent[0]


def test_inline_and_other_output_pass_through_and_forget() -> None:
    pair = Pair(6, 1)
    pair.show(full([{0: Strip([Segment("abcdef")], 6)}], 6))
    assert pair.shadow.texts[0] == list("abcdef")
    assert pair.shadow.wrap(pair.app, pair.screen, "text") == "text"
    assert pair.shadow.texts[0] == [None] * 6
    pair.show(full([{0: Strip([Segment("abcdef")], 6)}], 6))
    pair.app._driver.is_inline = True
    update = full([{0: Strip([Segment("abcdef")], 6)}], 6)
    assert pair.shadow.wrap(pair.app, pair.screen, update) is update
    assert pair.shadow.texts[0] == [None] * 6
    assert pair.shadow.wrap(pair.app, pair.screen, None) is None


def test_an_error_falls_back_to_textuals_bytes_and_forgets() -> None:
    pair = Pair(6, 1)
    pair.show(full([{0: Strip([Segment("abcdef")], 6)}], 6))

    class Broken(Strip):
        def __iter__(self) -> Iterator[Segment]:  # read by the shadow, not by Textual
            raise RuntimeError("broken")

    update = full([{0: Broken([Segment("abcxyz")], 6)}], 6)
    wrapped = pair.shadow.wrap(pair.app, pair.screen, update)
    assert isinstance(wrapped, ShadowUpdate)
    assert wrapped.render_segments(CONSOLE) == update.render_segments(CONSOLE)
    assert all(text is None for line in pair.shadow.texts for text in line)


def test_a_frame_starts_from_the_sgr_the_last_one_left() -> None:
    pair = Pair(6, 1)
    red = Style(color="red")
    pair.show(full([{0: Strip([Segment("abcdef", red)], 6)}], 6))
    assert pair.app._driver.carry.sgr == "31"  # no reset at the end of the frame
    pair.sent = [0, 0]
    pair.show(partial({0: {0: Strip([Segment("abXdef", red)], 6)}}, [(0, 0, 6)], (6, 1)))
    assert pair.sent[1] == len("\x1b[1;3HX")  # the colour is still in force: not set again


def test_other_output_resets_the_sgr_first() -> None:
    carry = Carry()
    carry.expect("\x1b[31mab", "31")
    assert carry.outgoing("\x1b[31mab\x1b[1;1H") == "\x1b[31mab\x1b[1;1H"
    assert carry.outgoing("\x1b[?2026h") == "\x1b[?2026h"  # a sync mark neither prints nor erases
    assert carry.sgr == "31"
    carry.expect("\x1b[1;2Hc", "31")
    assert carry.outgoing("\x1b[?1049l") == "\x1b[0m\x1b[?1049l"  # not the frame expected
    assert carry.sgr == ""
    assert carry.outgoing("\x1b[?25h") == "\x1b[?25h"
