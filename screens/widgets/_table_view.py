"""TableView: the state and line rendering behind VirtualTable (no input handling here)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ._table_model import ROW_STYLES, Cell, Column, Row, TableModel, safe_str
from ._table_render import GAP, Layout, fit_columns, render_cells, render_text

_CACHE_LIMIT = 512


class TableView(ScrollView):
    """Rows in a TableModel drawn through the line API: header, visible rows, status line."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_text: str = "no rows",
        caption: str = "",
        show_status: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns = tuple(columns)
        self._model = TableModel()
        self._empty_text = safe_str(empty_text)
        self._caption = safe_str(caption)
        self._show_status = show_status
        self._cursor_key: str | None = None
        self._cursor_pos = -1
        self._layout: Layout | None = None
        self._strips: dict[object, tuple[object, Strip]] = {}

    # Public API -----------------------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        """Key of the highlighted row, or None when no row is shown."""
        return self._cursor_key

    @property
    def cursor_index(self) -> int | None:
        """Position of the highlighted row among the rows shown, or None."""
        return self._cursor_pos if self._cursor_pos >= 0 else None

    @property
    def row_count(self) -> int:
        """Rows shown after filtering."""
        return len(self._model)

    @property
    def total_rows(self) -> int:
        """Rows given to `set_rows`, before filtering."""
        return self._model.total

    @property
    def filter_text(self) -> str:
        """The active filter, lowercased ("" when none)."""
        return self._model.needle

    @property
    def shown_columns(self) -> tuple[str, ...]:
        """Keys of the columns that fit at the current width, left to right."""
        layout = self._layout_for(self._content_width)
        return tuple(self._columns[slot.index].key for slot in layout.slots)

    def keys(self) -> list[str]:
        """Keys of the rows shown, in display order."""
        rows = self._model.rows
        return [rows[i].key for i in self._model.view]

    # Geometry ---------------------------------------------------------------------------------

    @property
    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    @property
    def _content_height(self) -> int:
        return self.scrollable_content_region.height

    @property
    def _body_height(self) -> int:
        return max(0, self._content_height - 1 - self._show_status)

    def _layout_for(self, width: int) -> Layout:
        if self._layout is None or self._layout.width != width:
            self._layout = fit_columns(self._columns, width)
        return self._layout

    def _on_screen(self, position: int) -> bool:
        top = self.scroll_offset.y
        return position >= 0 and top <= position < top + self._body_height

    # Rendering --------------------------------------------------------------------------------

    def _signature(self, y: int, height: int, top: int) -> object:
        """What line `y` shows, cheaply: equal signatures mean identical pixels."""
        if y == 0:
            return None
        if self._show_status and y == height - 1:
            return self._status_text().plain
        if not len(self._model):
            return self._empty_message() if y == 1 else None
        position = top + y - 1
        return (self._model.row_at(position), position == self._cursor_pos)

    def _signatures(self) -> list[object]:
        # The geometry once per call: it is a chain of Textual properties, not a field.
        height, top = self._content_height, self.scroll_offset.y
        return [self._signature(y, height, top) for y in range(height)]

    def _refresh_changed(self, before: list[object]) -> None:
        after = self._signatures()
        width = self.size.width
        layout = self._layout_for(self._content_width)
        for y, (old, new) in enumerate(zip(before, after, strict=False)):
            if old != new:
                span = _changed_span(old, new, layout, y)
                if span is None:
                    self.refresh(Region(0, y, width, 1))
                elif span.width:
                    self.refresh(span)

    def _status_text(self) -> Text:
        model = self._model
        rows = "row" if model.total == 1 else "rows"
        if model.needle:
            counts = f'filter "{model.needle}" · {len(model):,} of {model.total:,} {rows}'
        else:
            counts = f"{model.total:,} {rows}"
        return Text(" · ".join(part for part in (self._caption, counts) if part), end="")

    def _empty_message(self) -> str:
        if self._model.total and self._model.needle:
            return f'no rows match "{self._model.needle}"'
        return self._empty_text

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component)

    def render_line(self, y: int) -> Strip:
        """Render content line `y`: header, a row, the empty message or the status line."""
        width = self._content_width
        layout = self._layout_for(width)
        console = self.app.console
        if y == 0:
            labels = [safe_str(column.label) for column in self._columns]
            return render_cells(labels, layout, console, self._style("virtual-table--header"))
        if self._show_status and y == self._content_height - 1:
            style = self._style("virtual-table--status")
            return render_text(self._status_text(), width, console, style)
        if not len(self._model):
            text = Text(f" {self._empty_message()}" if y == 1 else "", end="")
            return render_text(text, width, console, self._style("virtual-table--empty"))
        position = self.scroll_offset.y + y - 1
        index = self._model.index_at(position)
        if index is None:
            return Strip.blank(width, self.rich_style)
        row, cells = self._model.rows[index], self._model.cells_at(index)
        return self._row_strip(row, cells, position == self._cursor_pos, layout)

    def _row_strip(self, row: Row, cells: tuple[Cell, ...], cursor: bool, layout: Layout) -> Strip:
        kind = row.style
        style = self._style(f"virtual-table--{kind}") if kind in ROW_STYLES else self.rich_style
        if cursor:
            style += self._style(
                "virtual-table--cursor" if self.has_focus else "virtual-table--cursor-blurred"
            )
        stamp = (row, style, layout)
        cached = self._strips.get(row.key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if len(self._strips) > _CACHE_LIMIT:
            self._strips.clear()
        strip = render_cells(cells, layout, self.app.console, style)
        self._strips[row.key] = (stamp, strip)
        return strip


def _changed_span(old: object, new: object, layout: Layout, y: int) -> Region | None:
    """The cells of line `y` that differ when the same row only changed some cells (an age
    ticking, a count moving), so the terminal is sent those cells and not the whole line
    (an empty region: only columns left off screen changed); None: repaint the whole line."""
    if not (isinstance(old, tuple) and isinstance(new, tuple) and old[1] == new[1]):
        return None
    before, after = old[0], new[0]
    if not (isinstance(before, Row) and isinstance(after, Row)) or before.key != after.key:
        return None
    if before.style != after.style or len(before.cells) != len(after.cells):
        return None
    start = end = x = 0
    for slot in layout.slots:
        index = slot.index
        if index < len(after.cells) and before.cells[index] != after.cells[index]:
            start = x if end == 0 else start
            end = x + slot.width
        x += slot.width + GAP
    return Region(start, y, end - start, 1)
