"""Pure data behind VirtualTable: columns, rows, sanitised cells, filtering and the key index."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from rich.text import Text

from cockpit.sanitize import clean

Align = Literal["left", "right"]
RowStyle = Literal["danger", "warning", "muted", "ok"]
Cell = str | Text

ROW_STYLES: frozenset[str] = frozenset(get_args(RowStyle))


@dataclass(frozen=True, slots=True)
class Column:
    """One table column; `width=None` makes it flexible (at least `min_width`, grows by `ratio`).

    When the pane is too narrow, columns with the lowest `priority` are dropped first.
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 4
    ratio: int = 1
    align: Align = "left"
    priority: int = 0

    def __post_init__(self) -> None:
        if self.width is not None and self.width < 1:
            raise ValueError(f"column {self.key!r}: width must be >= 1 or None (flexible)")
        if self.min_width < 1:
            raise ValueError(f"column {self.key!r}: min_width must be >= 1")
        if self.ratio < 1:
            raise ValueError(f"column {self.key!r}: ratio must be >= 1")
        if self.align not in ("left", "right"):
            raise ValueError(f"column {self.key!r}: align must be 'left' or 'right'")

    @property
    def base_width(self) -> int:
        """Cells this column needs before any spare width is shared out."""
        return self.width if self.width is not None else self.min_width


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: a stable `key` (the cursor follows it), its cells and an optional style."""

    key: str
    cells: tuple[Cell, ...]
    style: RowStyle | None = None


def safe_str(value: str) -> str:
    """Sanitise one cell string, skipping the regex work for the common printable case.

    `clean` only removes or replaces characters that `str.isprintable` rejects (controls,
    format characters, tab, newline), so a printable string is already clean.
    """
    return value if value.isprintable() else clean(value, single_line=True)


def safe_cell(cell: object) -> Cell:
    """Return `cell` as inert display data: strings are sanitised, Text keeps its spans if clean."""
    if isinstance(cell, Text):
        plain = cell.plain
        if plain.isprintable():
            return cell
        return Text(clean(plain, single_line=True), style=cell.style, end="")
    return safe_str(cell if isinstance(cell, str) else str(cell))


SEP = "\u241e"
"""Joins cells in the search text: printable (so one isprintable() checks a whole row) and
unlikely in a filter, so a match never spans two cells by accident."""


def prepare(cells: tuple[Cell, ...]) -> tuple[tuple[Cell, ...], str]:
    """Sanitised cells and the lowercase search text of a row, computed once per change."""
    plains = [cell.plain if isinstance(cell, Text) else cell for cell in cells]
    try:
        joined = SEP.join(plains)
    except TypeError:  # a cell that is neither str nor Text: take the general path
        joined = ""
    # Fast path for the usual row of printable cells: nothing to clean, nothing to copy.
    if joined and joined.isprintable():
        return cells, joined.lower()
    clean_cells = tuple(safe_cell(cell) for cell in cells)
    plains = [cell.plain if isinstance(cell, Text) else cell for cell in clean_cells]
    return clean_cells, SEP.join(plains).lower()


PreparedRows = tuple[list[tuple[Cell, ...]], list[str]]
"""Sanitised cells and search texts of a list of rows, in the same order."""


def prepare_rows(rows: Sequence[Row]) -> PreparedRows:
    """`prepare` every row (pure: a worker thread may do it before `set_rows`)."""
    cells: list[tuple[Cell, ...]] = []
    search: list[str] = []
    for row in rows:
        row_cells, text = prepare(row.cells)
        cells.append(row_cells)
        search.append(text)
    return cells, search


class TableModel:
    """All rows with their sanitised cells, the filtered view and a key index.

    Parallel lists rather than one object per row: building 10,000 small objects is the
    largest cost of a first `set_rows`, and the event loop must not stall for it. A row's
    sanitised cells and search text are computed when it is first drawn (`cells_at`) or
    filtered, so only the rows on screen are prepared (None: not yet).
    """

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.cells: list[tuple[Cell, ...] | None] = []
        self.view: list[int] = []
        self.needle = ""
        self._search: list[str | None] = []
        self._index: dict[str, int] = {}

    def cells_at(self, index: int) -> tuple[Cell, ...]:
        """The sanitised cells of `rows[index]`, prepared on first use."""
        cells = self.cells[index]
        if cells is None:
            cells, self._search[index] = prepare(self.rows[index].cells)
            self.cells[index] = cells
        return cells

    def search_at(self, index: int) -> str:
        """The lowercase search text of `rows[index]`, prepared on first use."""
        text = self._search[index]
        if text is None:
            self.cells[index], text = prepare(self.rows[index].cells)
            self._search[index] = text
        return text

    def set_rows(self, rows: Sequence[Row], prepared: PreparedRows | None = None) -> None:
        """Replace every row; unchanged rows (same key and content) reuse their prepared cells.

        `prepared` (from `prepare_rows(rows)`) skips the per-row work entirely.
        """
        new_rows = list(rows)
        cells: list[tuple[Cell, ...] | None]
        search: list[str | None]
        if prepared is not None:
            cells, search = list(prepared[0]), list(prepared[1])
            index: dict[str, int] = {}
            for position, row in enumerate(new_rows):
                index.setdefault(row.key, position)
        else:
            cells, search, index = self._reuse(new_rows)
        self.rows, self.cells, self._search, self._index = new_rows, cells, search, index
        self._refilter()

    def adopt(self, rows: Sequence[Row], prepared: PreparedRows) -> bool:
        """Take `prepare_rows(rows)` made after `rows` were set without it (they were shown
        first); False, and nothing taken, when the rows held are no longer these."""
        held = self.rows
        if len(rows) != len(held) or any(a is not b for a, b in zip(rows, held, strict=True)):
            return False
        cells, search = prepared
        self.cells = [c if c is not None else p for c, p in zip(self.cells, cells, strict=True)]
        self._search = [
            t if t is not None else p for t, p in zip(self._search, search, strict=True)
        ]
        return True

    def _reuse(
        self, new_rows: list[Row]
    ) -> tuple[list[tuple[Cell, ...] | None], list[str | None], dict[str, int]]:
        old_rows, old_cells, old_search, old_index = (
            self.rows,
            self.cells,
            self._search,
            self._index,
        )
        cells: list[tuple[Cell, ...] | None] = []
        search: list[str | None] = []
        index: dict[str, int] = {}
        for position, row in enumerate(new_rows):
            before = old_index.get(row.key) if old_index else None
            # `is` first: a pane that kept its Row objects pays no field-by-field compare.
            if before is not None and (old_rows[before] is row or old_rows[before] == row):
                cells.append(old_cells[before])
                search.append(old_search[before])
            else:  # prepared when drawn or filtered
                cells.append(None)
                search.append(None)
            # A duplicate key keeps its first row: the cursor needs one home per key.
            index.setdefault(row.key, position)
        return cells, search, index

    def set_filter(self, text: str) -> None:
        """Keep rows whose cells contain `text` (case-insensitive); an empty text keeps all."""
        self.needle = safe_str(text).strip().lower()
        self._refilter()

    def _refilter(self) -> None:
        needle = self.needle
        if needle:
            self.view = [i for i in range(len(self.rows)) if needle in self.search_at(i)]
        else:
            self.view = list(range(len(self.rows)))

    def __len__(self) -> int:
        return len(self.view)

    @property
    def total(self) -> int:
        """Number of rows before filtering."""
        return len(self.rows)

    def index_at(self, position: int) -> int | None:
        """Index into `rows`/`cells` of the row shown at `position`, if any."""
        return self.view[position] if 0 <= position < len(self.view) else None

    def row_at(self, position: int) -> Row | None:
        """The row shown at `position` in the filtered view, if any."""
        index = self.index_at(position)
        return None if index is None else self.rows[index]

    def position_of(self, key: str) -> int | None:
        """Where the row with `key` sits in the filtered view, or None if hidden or absent."""
        index = self._index.get(key)
        if index is None:
            return None
        if not self.needle:
            return index
        # The view lists row indexes in ascending order, so a bisection finds it.
        position = bisect_left(self.view, index)
        return position if position < len(self.view) and self.view[position] == index else None
