"""A pane whose title count moved, or a text line that changed, sends that line's changed part
to the terminal, not the whole pane: over a slow link a poll used to resend every row."""

from __future__ import annotations

from typing import Any

from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.screen import Screen

from cockpit.screens.panes import Pane, TextLine
from cockpit.screens.widgets import Column, Row, VirtualTable


class OnePane(Pane):
    """A pane with a table of 30 rows and a text line, counting its own refreshes."""

    def __init__(self) -> None:
        super().__init__(id="one")
        self.refreshes: list[tuple[Region, ...]] = []

    def compose(self) -> ComposeResult:
        yield TextLine(id="line")
        yield VirtualTable([Column("a", "A", min_width=10, ratio=1)], empty_text="none")

    def refresh(self, *regions: Region, **kwargs: Any) -> OnePane:
        self.refreshes.append(regions)
        super().refresh(*regions, **kwargs)
        return self


class PaneApp(App[None]):
    """Counts the bytes Textual would write to a real terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes_out = 0

    def compose(self) -> ComposeResult:
        yield OnePane()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows([Row(f"k{i}", (f"row {i}",)) for i in range(30)])

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.bytes_out += len(renderable.render_segments(self.console).encode())
        super()._display(screen, renderable)


async def test_a_new_title_repaints_the_title_end_of_the_top_border_only() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(OnePane)
        pane._set_title(Content("3 PostgreSQL 129/200"))
        await pilot.pause()
        pane.refreshes.clear()
        app.bytes_out = 0
        pane._set_title(Content("3 PostgreSQL 131/200"))
        await pilot.pause()
        left, top = pane.content_offset
        assert pane.refreshes == [(Region(-left, -top, len("3 PostgreSQL 131/200") + 4, 1),)]
        assert 0 < app.bytes_out < 400
        assert pane.border_title == "3 PostgreSQL 131/200"
        # A shorter title still clears the end of the longer one.
        pane.refreshes.clear()
        pane._set_title(Content("3 PostgreSQL 9/200"))
        await pilot.pause()
        assert pane.refreshes == [(Region(-left, -top, len("3 PostgreSQL 131/200") + 4, 1),)]
        assert "131" not in "".join(app.screen._compositor.render_strips()[0].text)


async def test_a_text_line_repaints_as_far_as_the_longer_text_reaches() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        text = app.query_one("#line", TextLine)
        text.show(Content("idle in transaction: 12"))
        await pilot.pause()
        app.bytes_out = 0
        pane = app.query_one(OnePane)
        pane.refreshes.clear()
        text.show(Content("idle in transaction: 3"))
        await pilot.pause()
        assert 0 < app.bytes_out < 120
        assert pane.refreshes == [], "the pane itself was repainted"
        assert app.screen._compositor.render_strips()[1].text.startswith("│idle in transaction: 3 ")
        app.bytes_out = 0
        text.show(Content("idle in transaction: 3"))
        await pilot.pause()
        assert app.bytes_out == 0
