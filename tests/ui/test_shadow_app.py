"""The running cockpit, its output read by a model terminal: after replay steps, pane
switches and a dialog, the terminal fed the shadow's bytes shows what a fresh full render
shows, the shadow knows it, and it took fewer bytes than Textual's own output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.color import ColorSystem
from textual._compositor import CompositorUpdate, LayoutUpdate
from textual.app import App
from textual.geometry import Region
from textual.screen import Screen
from xterm_model import Xterm

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.launch import sample_log
from cockpit.permissions import Mode, Permissions
from cockpit.screens.header import HeaderInfo
from cockpit.screens.shadow import ShadowUpdate
from cockpit.screens.shadow_cells import fill
from cockpit.session import ReplaySession

SIZE = (120, 36)


class Terminals:
    """What a real terminal would get: the shadow's bytes, and Textual's for comparison."""

    def __init__(self) -> None:
        self.diffed, self.plain = Xterm(*SIZE), Xterm(*SIZE)
        self.sent = [0, 0]
        self.shadowed = 0

    def display(self, app: App[Any], screen: Screen[Any], renderable: Any) -> None:
        """Textual's App._display as if the app were not headless: the bytes it writes."""
        if isinstance(renderable, ShadowUpdate):
            self.shadowed += 1
            self.sent[0] += self.plain.feed(renderable.update.render_segments(app.console))
        elif isinstance(renderable, CompositorUpdate):
            self.sent[0] += self.plain.feed(renderable.render_segments(app.console))
        if isinstance(renderable, CompositorUpdate):
            self.sent[1] += self.diffed.feed(renderable.render_segments(app.console))


def differ(terminals: Terminals) -> str:
    """The lines where the two terminals differ, as text, for the failure message."""
    out = []
    for y, (mine, theirs) in enumerate(
        zip(terminals.diffed.cells, terminals.plain.cells, strict=True)
    ):
        if mine != theirs:
            cols = [x for x, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b]
            out.append(f"line {y}, columns {cols[0]}..{cols[-1]} ({len(cols)} cells)")
            out.append("  shadow: " + "".join(c[0] for c in mine))
            out.append("  plain:  " + "".join(c[0] for c in theirs))
            out.append(f"  shadow cell {mine[cols[0]]!r}, plain cell {theirs[cols[0]]!r}")
    return "\n".join(out)


def fresh(app: CockpitApp) -> tuple[Xterm, list[list[str | None]]]:
    """A full render of the screen now, on a new terminal, and as cells."""
    width, height = SIZE
    strips = app.screen._compositor.render_strips()
    term = Xterm(width, height)
    term.feed(
        LayoutUpdate([[strip] for strip in strips], Region(0, 0, width, height)).render_segments(
            app.console
        )
    )
    texts: list[list[str | None]] = []
    # The app's own colour system: a style caches the first SGR rendered for it
    # (`Style._ansi`) whatever the colour system, so another one here would change what
    # the app writes next.
    color_system = app.console._color_system or ColorSystem.TRUECOLOR
    for strip in strips:
        line: list[str | None] = [None] * width
        keys: list[str | None] = [None] * width
        sure = fill([strip], 0, line, keys, color_system, {}) == width
        texts.append(line if sure else [None] * width)  # unsure text: the line is not kept
    return term, texts


async def test_the_shadow_matches_a_full_render_after_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminals = Terminals()
    monkeypatch.setattr(
        App, "_display", lambda app, screen, update: terminals.display(app, screen, update)
    )
    options = AppOptions(
        header=HeaderInfo("REPLAY", read_only=True), permissions=Permissions.decide(Mode.REPLAY)
    )
    clock = SystemClock()
    app = CockpitApp(ReplaySession(Path(sample_log()), clock), options, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        for keys in (
            ["space"],
            ["space"],
            ["2"],
            ["right_square_bracket"],
            ["3"],
            ["question_mark"],
            ["escape"],
            ["4"],
            ["full_stop", "full_stop"],
            ["1"],
        ):
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.4 if keys == ["space"] else 0.1)
            replay = app._player()
            if replay is not None and replay.playing:
                continue  # compare once paused again
            await pilot.pause()
            term, texts = fresh(app)
            assert terminals.diffed.cells == terminals.plain.cells, (keys, differ(terminals))
            assert terminals.diffed.cells == term.cells, keys
            assert app._shadow.texts == texts, keys
    assert terminals.shadowed > 10
    assert terminals.sent[1] < terminals.sent[0]
