"""VirtualTable: a keyed, filtered, sanitised table that renders only the rows on screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message

from ._table_model import Column, PreparedRows, Row, safe_str
from ._table_view import TableView


class RowMessage(Message):
    """Base of the table's messages: which table, which row key."""

    def __init__(self, table: VirtualTable, key: str) -> None:
        self.table = table
        self.key = key
        super().__init__()

    @property
    def control(self) -> VirtualTable:
        """The table that posted the message."""
        return self.table


class VirtualTable(TableView, can_focus=True):
    """A table for thousands of rows: line API, sticky header, status line, cursor on a key.

    Cells are plain data: strings are sanitised and never parsed as markup. Updating with
    unchanged rows repaints nothing; changed rows repaint only their own lines.
    """

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
        & > .virtual-table--header { text-style: bold; background: $panel; color: $foreground; }
        /* No `:focus` rule here (none would apply: `watch_has_focus` skips the restyle); the
           focus changes the cursor row only, drawn with the style below (see `_on_focus`). */
        & > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-table--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .virtual-table--danger { color: $text-error; text-style: bold; }
        & > .virtual-table--warning { color: $text-warning; }
        & > .virtual-table--muted { color: $text-muted; }
        & > .virtual-table--ok { color: $text-success; }
        & > .virtual-table--status { color: $text-muted; background: $panel; }
        & > .virtual-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--cursor-blurred",
        "virtual-table--danger",
        "virtual-table--warning",
        "virtual-table--muted",
        "virtual-table--ok",
        "virtual-table--status",
        "virtual-table--empty",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
        Binding("home", "cursor_first", "First", show=False),
        Binding("end", "cursor_last", "Last", show=False),
        Binding("enter", "select_row", "Open", show=False),
    ]

    class RowHighlighted(RowMessage):
        """The cursor moved onto the row with `key`."""

    class RowSelected(RowMessage):
        """The row with `key` was chosen (enter, or a click on the highlighted row)."""

    def set_rows(self, rows: Sequence[Row], prepared: PreparedRows | None = None) -> None:
        """Replace the rows; the cursor stays on its key and only changed lines repaint.

        `prepared` is `prepare_rows(rows)` done ahead (e.g. on a worker thread). The same rows
        again cost one comparison and paint nothing.
        """
        if self._model.rows == list(rows):
            return
        self._tracked(lambda: self._model.set_rows(rows, prepared))

    def adopt_prepared(self, rows: Sequence[Row], prepared: PreparedRows) -> bool:
        """`prepare_rows(rows)`, made on a thread after `set_rows(rows)` showed them: the
        filter uses it (nothing on screen changes). False if other rows came meanwhile."""
        return self._model.adopt(rows, prepared)

    def set_filter(self, text: str) -> None:
        """Show only rows containing `text` in any cell (case-insensitive); "" shows all."""
        if safe_str(text).strip().lower() != self._model.needle:
            self._tracked(lambda: self._model.set_filter(text))

    def set_caption(self, text: str) -> None:
        """Set the text at the left of the status line (e.g. data age)."""
        self._tracked(lambda: setattr(self, "_caption", safe_str(text)))

    def set_empty_text(self, text: str) -> None:
        """Set what the table says when it has no rows (e.g. "no firing alerts")."""
        self._tracked(lambda: setattr(self, "_empty_text", safe_str(text)))

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Replace the columns; every line repaints."""
        self._columns = tuple(columns)
        self._layout = None
        self._strips.clear()
        self.refresh()

    def move_cursor(self, key: str) -> bool:
        """Highlight the row with `key`; False if no such row is shown."""
        position = self._model.position_of(key)
        if position is None:
            return False
        self._move_to(position)
        return True

    # Actions ----------------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Highlight the row above."""
        self._move_to(self._cursor_pos - 1)

    def action_cursor_down(self) -> None:
        """Highlight the row below."""
        self._move_to(self._cursor_pos + 1)

    def action_cursor_page_up(self) -> None:
        """Move the cursor and the view one page up."""
        page = max(1, self._body_height)
        self._move_to(self._cursor_pos - page, top=self.scroll_offset.y - page)

    def action_cursor_page_down(self) -> None:
        """Move the cursor and the view one page down."""
        page = max(1, self._body_height)
        self._move_to(self._cursor_pos + page, top=self.scroll_offset.y + page)

    def action_cursor_first(self) -> None:
        """Highlight the first row."""
        self._move_to(0)

    def action_cursor_last(self) -> None:
        """Highlight the last row."""
        self._move_to(len(self._model) - 1)

    def action_select_row(self) -> None:
        """Post RowSelected for the highlighted row."""
        if self._cursor_key is not None:
            self.post_message(self.RowSelected(self, self._cursor_key))

    def _on_focus(self, event: events.Focus) -> None:
        # Textual's own handler repaints every line; the focus changes the cursor row only.
        event.prevent_default()
        self._focus_changed(True)

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self._focus_changed(False)

    def watch_has_focus(self, has_focus: bool) -> None:
        """Nothing to restyle: no rule of the table depends on `:focus` (Textual restyles the
        table, its eight component styles and its scrollbars, and relays the screen out)."""

    def _focus_changed(self, focused: bool) -> None:
        """What Textual's focus handlers do (the flag, the message up), but repaint the
        cursor row alone."""
        self.has_focus = focused
        if self._on_screen(self._cursor_pos):
            line = self._cursor_pos - self.scroll_offset.y + 1  # under the header
            self.refresh(Region(0, line, self.size.width, 1))
        if self.parent is not None:
            message = events.DescendantFocus(self) if focused else events.DescendantBlur(self)
            self.parent.post_message(message)

    def on_click(self, event: events.Click) -> None:
        """A click highlights a row; a click on the highlighted row selects it."""
        offset = event.get_content_offset(self)
        if offset is None or not 1 <= offset.y <= self._body_height:
            return
        position = self.scroll_offset.y + offset.y - 1
        if position >= len(self._model):
            return
        if position == self._cursor_pos:
            self.action_select_row()
        else:
            self._move_to(position)

    # State changes ----------------------------------------------------------------------------

    def _tracked(self, change: Callable[[], None]) -> None:
        """Apply `change`, then repaint only the screen lines whose content differs."""
        before = self._signatures()
        was_visible = self._on_screen(self._cursor_pos)
        change()
        moved = self._sync_cursor()
        self.virtual_size = Size(0, len(self._model) + 1 + self._show_status)
        top = min(self.scroll_offset.y, max(0, len(self._model) - self._body_height))
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)
        if moved and was_visible:
            self._scroll_to_cursor()
        self._refresh_changed(before)

    def _sync_cursor(self) -> bool:
        """Put the cursor back on its key (or the nearest row); True if its position moved."""
        model = self._model
        old_pos, old_key = self._cursor_pos, self._cursor_key
        position = model.position_of(old_key) if old_key is not None else None
        if position is None and len(model):
            position = min(max(old_pos, 0), len(model) - 1)
        row = model.row_at(position) if position is not None else None
        self._cursor_pos = position if row is not None and position is not None else -1
        self._cursor_key = row.key if row is not None else None
        if self._cursor_key is not None and self._cursor_key != old_key:
            self.post_message(self.RowHighlighted(self, self._cursor_key))
        return self._cursor_pos != old_pos

    def _move_to(self, position: int, top: int | None = None) -> None:
        count = len(self._model)
        if not count:
            return
        position = min(max(position, 0), count - 1)
        before, old_key = self._signatures(), self._cursor_key
        row = self._model.row_at(position)
        assert row is not None
        self._cursor_pos, self._cursor_key = position, row.key
        if top is not None:
            self.scroll_to(y=min(max(top, 0), max(0, count - self._body_height)), animate=False)
        self._scroll_to_cursor()
        self._refresh_changed(before)
        if row.key != old_key:
            self.post_message(self.RowHighlighted(self, row.key))

    def _scroll_to_cursor(self) -> None:
        body, top, position = self._body_height, self.scroll_offset.y, self._cursor_pos
        if body <= 0 or position < 0 or self._on_screen(position):
            return
        self.scroll_to(y=position if position < top else position - body + 1, animate=False)
