"""The key footer: the keys of the focus chain on one line (the snapshots prove it looks like
Textual's footer), no repaint when the focus moves between panes that bind the same keys, a
new line when the keys change, and a click on a key presses it."""

from __future__ import annotations

from test_dashboard_snapshots import replay_app, settle

from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.footer import KeyFooter
from cockpit.screens.panes import FilterBar


def shown(footer: KeyFooter) -> list[str]:
    return [f"{item.display} {item.description}" for item in footer.items]


async def test_tab_between_panes_keeps_the_painted_line() -> None:
    app = replay_app(150)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        assert shown(footer)[:3] == ["/ Filter", "y Copy", "q Quit"]
        assert footer.palette is not None and footer.palette.description == "palette"
        line = footer.render_line(0)
        assert line.text.startswith(" / Filter  y Copy  q Quit ")
        assert line.text.endswith("▏^p palette ") and line.cell_length == 200
        for key in ("tab", "2", "3", "shift+tab"):
            await pilot.press(key)
            await pilot.pause()
            assert footer.render_line(0) is line, f"{key}: the footer was painted again"


async def test_the_filter_bar_changes_the_keys_and_a_click_presses_one() -> None:
    app = replay_app(150)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        footer, bar = screen.query_one(KeyFooter), screen.query_one(FilterBar)
        before = shown(footer)
        await pilot.click(KeyFooter, offset=(2, 0))  # on " / Filter "
        await pilot.pause()
        assert app.focused is bar and bar.target == 1
        assert "y Copy" in before and "y Copy" not in shown(footer)  # typed y goes to the bar
        assert footer.render_line(0).text.startswith(" / Filter  + Faster ")
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is screen.pane(1).table and shown(footer) == before
