"""The pane holding the focus has the bright border: it follows Tab, the pane keys and the
filter bar, and moving the focus restyles the two panes concerned, not their tables, and
does not repaint the whole screen."""

from __future__ import annotations

from typing import Any

from test_dashboard_snapshots import replay_app, settle
from textual._compositor import Compositor
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.panes import FilterBar, Pane


def focused(screen: DashboardScreen) -> list[int]:
    return [n for n in (1, 2, 3, 4) if screen.pane(n).has_class("-focused")]


def bold_titles(screen: DashboardScreen) -> list[int]:
    """Panes whose border title is bold (the focused one; a stale pane keeps its warning
    border colour even when focused, so the colour alone does not tell)."""
    return [n for n in (1, 2, 3, 4) if screen.pane(n).styles.border_title_style.bold]


async def test_the_bright_border_follows_the_focus() -> None:
    app = replay_app(150)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert focused(screen) == [1] and bold_titles(screen) == [1]
        for key, expected in (("tab", [2]), ("4", [4]), ("shift+tab", [3]), ("1", [1])):
            await pilot.press(key)
            await pilot.pause()
            assert focused(screen) == expected, key
            assert bold_titles(screen) == expected, key  # the style follows, not only the class
        await pilot.press("slash")  # the filter bar takes the focus: no pane has it
        await pilot.pause()
        assert isinstance(app.focused, FilterBar) and focused(screen) == bold_titles(screen) == []


async def test_a_focus_move_restyles_two_panes_only(monkeypatch: Any) -> None:
    restyled: list[DOMNode] = []
    real = Stylesheet.update_nodes

    def counted(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.extend(nodes)
        real(self, nodes, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counted)
    real_full = Compositor.render_full_update
    app = replay_app(150)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        restyled.clear()
        repainted: list[Compositor] = []

        def full(self: Compositor, simplify: bool = False) -> Any:
            repainted.append(self)
            return real_full(self, simplify)

        monkeypatch.setattr(Compositor, "render_full_update", full)
        await pilot.press("2")
        await pilot.pause()
        # The two panes alone: not their tables, component styles or scrollbars.
        assert all(isinstance(node, Pane) for node in restyled), restyled
        assert sorted(node.NUMBER for node in restyled if isinstance(node, Pane)) == [1, 2]
        assert repainted == [], "the focus move repainted the whole screen"


async def test_the_pane_chosen_in_the_grid_is_the_one_shown_when_narrowed() -> None:
    app = replay_app(150)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.wide
        await pilot.press("3")  # in the grid `-current` moves without a restyle
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        assert not screen.wide
        assert [n for n in (1, 2, 3, 4) if screen.pane(n).display] == [3]
        await pilot.press("2")
        await pilot.pause()
        assert [n for n in (1, 2, 3, 4) if screen.pane(n).display] == [2]
        await pilot.resize_terminal(200, 50)
        await pilot.pause(0.2)
        assert screen.wide and all(screen.pane(n).display for n in (1, 2, 3, 4))
