"""VirtualTable under Textual Pilot: only visible rows render, hostile text stays inert,
the cursor follows its key, filtering, column dropping, and no repaint when nothing changed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from hostile_corpus import load as load_corpus
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

from cockpit.sanitize import clean
from cockpit.screens.widgets import Column, Row, VirtualTable
from cockpit.screens.widgets._table_model import prepare, safe_str
from cockpit.screens.widgets._table_render import (
    NARROW,
    _render_cells_text,
    fit_columns,
    render_cells,
)

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

COLUMNS = (
    Column("sev", "Severity", width=10, priority=9),
    Column("alert", "Alert", min_width=20, ratio=3, priority=10),
    Column("tenant", "Tenant", min_width=16, priority=5),
    Column("ns", "Namespace", width=20, priority=1),
    Column("since", "Since", width=20, align="right", priority=3),
    Column("summary", "Summary", min_width=30, ratio=2, priority=2),
)


def make_rows(count: int, prefix: str = "k") -> list[Row]:
    return [
        Row(
            f"{prefix}{i}",
            ("critical", f"Alert{i}", f"tenant-{i % 7}", "payments", f"{i}m", "lag rising"),
            "danger" if i % 5 == 0 else None,
        )
        for i in range(count)
    ]


class CountingTable(VirtualTable):
    """The real widget, recording which lines it renders and which regions it repaints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rendered: list[int] = []
        self.refreshes: list[tuple[Region, ...]] = []

    def render_line(self, y: int) -> Strip:
        self.rendered.append(y)
        return super().render_line(y)

    def refresh(self, *regions: Region, **kwargs: Any) -> CountingTable:
        self.refreshes.append(regions)
        super().refresh(*regions, **kwargs)
        return self


class TableApp(App[None]):
    """One table filling the screen; counts the bytes Textual would write to the terminal."""

    def __init__(self, rows: Sequence[Row], columns: Sequence[Column] = COLUMNS) -> None:
        super().__init__()
        self.rows = rows
        self.columns = columns
        self.events: list[tuple[str, str]] = []
        self.bytes_out = 0

    def compose(self) -> ComposeResult:
        yield CountingTable(self.columns, empty_text="no firing alerts")

    def on_mount(self) -> None:
        table = self.query_one(CountingTable)
        table.set_rows(self.rows)
        table.focus()

    def on_virtual_table_row_highlighted(self, message: VirtualTable.RowHighlighted) -> None:
        self.events.append(("highlighted", message.key))

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.events.append(("selected", message.key))

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        # The headless driver writes nothing; measure what a real terminal would receive.
        if isinstance(renderable, CompositorUpdate):
            self.bytes_out += len(renderable.render_segments(self.console).encode())
        super()._display(screen, renderable)


def line(table: VirtualTable, y: int) -> str:
    return table.render_line(y).text


async def test_renders_only_visible_rows() -> None:
    app = TableApp(make_rows(10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.pause()
        assert table.rendered, "nothing was rendered"
        assert max(table.rendered) < 24
        assert len(table.rendered) <= 3 * 24
        assert "Alert0" in line(table, 1)
        table.rendered.clear()
        await pilot.press("pagedown")
        await pilot.pause()
        assert 0 < len(table.rendered) <= 2 * 24
        assert table.cursor_key == "k22"


def hostile_strings() -> list[str]:
    data = load_corpus()
    return [s for key, values in data.items() if key != "about" for s in values]


async def test_hostile_strings_render_as_inert_text() -> None:
    strings = hostile_strings()
    rows = [Row(f"h{i}", (s, Text(s), s, s, s, s), "warning") for i, s in enumerate(strings)]
    columns = [
        Column(c.key, label, min_width=30) for c, label in zip(COLUMNS, strings, strict=False)
    ]
    app = TableApp(rows, columns[:6])
    async with app.run_test(size=(200, len(strings) + 4)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.press("down", "end", "enter", "home")
        await pilot.pause()
        assert app.is_running
        for y in range(len(strings) + 2):
            strip = table.render_line(y)
            for segment in strip:
                assert not UNSAFE.search(segment.text), (y, segment.text)
                assert segment.style is None or segment.style.link is None
        shown = [line(table, y + 1) for y in range(len(strings))]
        for text, rendered in zip(strings, shown, strict=True):
            expected = clean(text, single_line=True)[:25]
            assert rendered.startswith(expected), (text, rendered)
        assert "[/]" in shown[strings.index("[/]")]
        assert "[@click=app.quit]quit[/]" in "".join(shown)
        assert "owned title" not in "".join(shown)
        assert "[/]" in app.export_screenshot()


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_printable_fast_paths_match_clean(cells: list[str]) -> None:
    expected = tuple(clean(cell, single_line=True) for cell in cells)
    assert tuple(safe_str(cell) for cell in cells) == expected
    assert prepare(tuple(cells))[0] == expected


CELL_TEXT = st.text(st.sampled_from("ab Z-…é漢🙂\t—█▏·↑"), max_size=30)
CELLS = st.one_of(
    CELL_TEXT,
    st.builds(lambda t: Text(t, "bold red"), CELL_TEXT),  # a base style: padding styled too
    st.builds(lambda t: Text.styled(t, "red"), CELL_TEXT),  # one span: padding left plain
    st.builds(lambda a, b: Text.assemble(a, (b, "blue")), CELL_TEXT, CELL_TEXT),
)


def test_the_characters_counted_as_one_cell_are_one_cell_wide() -> None:
    assert {cell_len(ch) for ch in NARROW} == {1}


@given(st.lists(CELLS, max_size=8), st.integers(0, 140))
def test_the_fast_row_rendering_matches_the_text_path(cells: list[str | Text], width: int) -> None:
    console = Console(width=200, color_system="truecolor", force_terminal=True)
    style = Style(color="white", bgcolor="black")
    layout = fit_columns(COLUMNS, width)
    fast = render_cells(tuple(cells), layout, console, style)
    general = _render_cells_text(tuple(cells), layout, console, style)
    assert list(fast) == list(general) and fast.cell_length == general.cell_length == width


async def test_cursor_stays_on_key_after_resort() -> None:
    rows = make_rows(30)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.press(*["down"] * 5)
        assert table.cursor_key == "k5"
        table.set_rows(list(reversed(rows)))
        await pilot.pause()
        assert table.cursor_key == "k5"
        index = table.cursor_index
        assert index is not None and table.keys()[index] == "k5"
        assert "Alert5 " in line(table, index - table.scroll_offset.y + 1)
        table.set_rows([r for r in rows if r.key != "k5"])
        await pilot.pause()
        assert table.cursor_key not in (None, "k5")
        await pilot.press("enter")
        await pilot.pause()
        assert app.events[0] == ("highlighted", "k0")
        assert ("highlighted", "k5") in app.events
        assert app.events[-1] == ("selected", table.cursor_key)


async def test_keys_and_mouse_move_the_cursor() -> None:
    app = TableApp(make_rows(100))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.press("end")
        assert table.cursor_key == "k99"
        assert "Alert99 " in line(table, 22)
        await pilot.press("home", "pagedown", "pagedown", "pageup", "up")
        assert table.cursor_key == "k21"
        await pilot.press("home")
        await pilot.click(CountingTable, offset=(3, 3))
        assert table.cursor_key == "k2"
        await pilot.click(CountingTable, offset=(3, 3))
        await pilot.pause()
        assert app.events[-1] == ("selected", "k2")


async def test_filter_is_case_insensitive_across_cells() -> None:
    rows = [
        Row("a", ("critical", "KafkaLag", "ACME-eu"), None),
        Row("b", ("warning", "PgConn", "globex"), None),
        Row("c", ("critical", "acme quota", "initech"), None),
        Row("d", ("info", "Disk", "umbrella"), None),
        Row("e", ("info", "Cpu", "hooli"), None),
    ]
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        table.set_filter("Acme")
        await pilot.pause()
        assert table.keys() == ["a", "c"]
        assert "2 of 5 rows" in line(table, 23)
        table.set_filter("nothing-like-this")
        await pilot.pause()
        assert table.row_count == 0 and table.cursor_key is None
        assert 'no rows match "nothing-like-this"' in line(table, 1)
        table.set_filter("")
        table.set_caption("data 3 s old")
        await pilot.pause()
        assert table.row_count == 5
        assert line(table, 23).startswith("data 3 s old · 5 rows")
        table.set_rows(rows[:1])
        await pilot.pause()
        assert line(table, 23).startswith("data 3 s old · 1 row ")  # one row, not "1 rows"


async def test_empty_state_text() -> None:
    app = TableApp([])
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.press("down", "enter")
        assert "no firing alerts" in line(table, 1)
        assert table.cursor_key is None and app.events == []


async def test_low_priority_columns_drop_first_at_80_columns() -> None:
    rows = [Row("x", ("critical", "KafkaConsumerGroupLagTooHighForTenant", "acme"), None)]
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.pause()
        assert table.shown_columns == ("sev", "alert", "tenant", "since")
        header = line(table, 0)
        assert "Severity" in header and "Since" in header and "Namespace" not in header
        assert len(header) == 80  # one row: no scrollbar, the header spans the width
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert table.shown_columns == tuple(c.key for c in COLUMNS)
    layout = fit_columns(COLUMNS, 40)
    assert [COLUMNS[s.index].key for s in layout.slots] == ["sev", "alert"]
    assert layout.dropped == 4


async def test_text_that_does_not_fit_ends_with_ellipsis() -> None:
    name = "KafkaConsumerGroupLagTooHighForTenantAcmeInRegionEuWest"
    app = TableApp([Row("x", ("critical", name, "acme"), None)])
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.pause()
        cell = line(table, 1)[11:]
        assert "…" in cell
        assert cell.startswith(name[: cell.index("…")])


async def test_unchanged_rows_repaint_nothing() -> None:
    rows = make_rows(1_000)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.pause()
        table.refreshes.clear()
        app.bytes_out = 0
        table.set_rows([Row(r.key, tuple(r.cells), r.style) for r in rows])
        await pilot.pause()
        assert table.refreshes == []
        assert app.bytes_out == 0
        changed = list(rows)
        changed[3] = Row("k3", ("warning", "Alert3b", "tenant-3", "x", "1m", "y"), "warning")
        changed[500] = Row("k500", ("ok", "Alert500b", "t", "x", "1m", "y"), "ok")
        table.set_rows(changed)
        await pilot.pause()
        assert table.refreshes == [(Region(0, 4, 80, 1),)]
        assert 0 < app.bytes_out < 1_000
        assert "Alert3b" in line(table, 4)


async def test_a_row_with_one_changed_cell_sends_the_line_only_up_to_that_cell() -> None:
    rows = make_rows(20)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.pause()
        layout = fit_columns(COLUMNS, 80)
        shown = [slot.index for slot in layout.slots]
        assert 2 in shown, "the test needs the tenant column on screen"

        async def change(position: int, cells: Sequence[str], style: str | None) -> int:
            changed = list(table._model.rows)
            changed[position] = Row(rows[position].key, tuple(cells), style)
            table.refreshes.clear()
            app.bytes_out = 0
            table.set_rows(changed)
            await pilot.pause()
            return app.bytes_out

        old = rows[3]
        # The same row with its tenant alone changed: the cell's own span is refreshed.
        partial = await change(3, (*old.cells[:2], "tenant-x", *old.cells[3:]), old.style)
        x = sum(slot.width + 1 for slot in layout.slots[: shown.index(2)])
        width = layout.slots[shown.index(2)].width
        assert table.refreshes == [(Region(x, 4, width, 1),)]
        assert "tenant-x" in line(table, 4)
        # A row restyled (or replaced by another) is repainted whole, for comparison.
        other = rows[5]
        whole = await change(5, (*other.cells[:2], "tenant-y", *other.cells[3:]), "warning")
        assert table.refreshes == [(Region(0, 6, 80, 1),)]
        assert 0 < partial < whole, "the rest of the line was sent again"
        # A change in a column left off screen at this width paints nothing at all.
        dropped = next(i for i in range(len(COLUMNS)) if i not in shown)
        cells = list(table._model.rows[3].cells)
        cells[dropped] = "changed"
        assert await change(3, cells, old.style) == 0
        assert table.refreshes == []


class TwoTablesApp(App[None]):
    """Two tables, the first focused: Tab moves the focus between them."""

    def compose(self) -> ComposeResult:
        yield CountingTable(COLUMNS, id="a")
        yield CountingTable(COLUMNS, id="b")

    def on_mount(self) -> None:
        for table in self.query(CountingTable):
            table.set_rows(make_rows(100))
        self.query_one("#a").focus()


def cursor_bg(table: VirtualTable) -> object:
    style = next(iter(table.render_line(1))).style
    return style.bgcolor if style is not None else None


async def test_a_focus_move_repaints_only_the_cursor_rows() -> None:
    app = TwoTablesApp()
    async with app.run_test(size=(80, 24)) as pilot:
        a, b = app.query_one("#a", CountingTable), app.query_one("#b", CountingTable)
        await pilot.pause()
        focused = a.get_component_rich_style("virtual-table--cursor").bgcolor
        blurred = a.get_component_rich_style("virtual-table--cursor-blurred").bgcolor
        assert focused != blurred
        assert (cursor_bg(a), cursor_bg(b)) == (focused, blurred)
        for table in (a, b):
            table.rendered.clear()
            table.refreshes.clear()
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is b
        for table in (a, b):
            assert table.refreshes == [(Region(0, 1, table.size.width, 1),)]
            assert table.rendered == [1], "more than the cursor row was painted"
        assert (cursor_bg(a), cursor_bg(b)) == (blurred, focused)
