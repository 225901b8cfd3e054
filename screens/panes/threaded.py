"""A pane whose rows, for a large set, are built on a thread from a copy of the state."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import ClassVar, Generic, Protocol, TypeVar

from cockpit.domain.state import IncidentState
from cockpit.screens.foreground import wait_until_idle
from cockpit.screens.widgets import PreparedRows, Row, prepare_rows

from .base import Pane
from .context import PaneContext
from .snapshot import state_snapshot

ASYNC_MIN = 2_000
"""From this many items, the rows are built on a thread (30-50 ms on the loop at 2,000)."""
FOLLOW_UP_AT_MOST_S = 2.0
_NO_STOP = threading.Event()


def after_the_screen() -> None:
    """Hold a worker's follow-up (the search texts a filter needs) while some pane still
    waits for its rows: the first full screen has the interpreter first (at most
    FOLLOW_UP_AT_MOST_S, so a pane torn down while waiting holds nothing for ever)."""
    wait_until_idle(_NO_STOP, FOLLOW_UP_AT_MOST_S)


class Built(Protocol):
    """What a build hands back: its version (the pane's count of asks) and the table rows."""

    @property
    def version(self) -> int: ...

    @property
    def rows(self) -> Sequence[Row]: ...


T = TypeVar("T", bound=Built)


class ThreadedPane(Pane, Generic[T]):
    """Builds its rows on the loop for a small set and on a thread for a large one; a build
    overtaken by a newer one is dropped, and the replay's background work waits for the
    rows of the newest."""

    EMPTY_TEXT: ClassVar[str] = ""
    WAITING: ClassVar[str] = "{count:,} items: sorting them…"
    """Said while the first large build runs (never "no item")."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._asked = 0
        """Version of the last build asked for (each state advance asks for one)."""
        self._shown = -1
        """Version of the rows on screen."""

    def item_count(self, state: IncidentState) -> int:
        """How many items the state holds for this pane (decides where to build)."""
        raise NotImplementedError

    def build(self, version: int, ctx: PaneContext) -> T:
        """The rows of `ctx` (pure: runs on a thread over a copy of the state)."""
        raise NotImplementedError

    def show_table(self, table: T, prepared: PreparedRows | None) -> None:
        """Put a build on screen (the loop)."""
        raise NotImplementedError

    def update_data(self, ctx: PaneContext) -> None:
        """Called only when the state advanced: build here or on a thread."""
        self._asked += 1
        count = self.item_count(ctx.state)
        if count < ASYNC_MIN or not self.is_attached:
            self.await_rows(False)  # any build under way is older: it lands, if at all, dropped
            self._show(self.build(self._asked, ctx))
            return
        self.await_rows(True)  # background work holds back until the rows land
        if self._shown < 0:  # nothing shown yet: say what is coming
            self.table.set_empty_text(self.WAITING.format(count=count))
        # A copy (6 ms at 10,000 alerts): the fold goes on changing the state meanwhile.
        work = partial(self._build_off_loop, self._asked, replace(ctx, state=state_snapshot(ctx)))
        name = f"{self.KIND} view"
        self.run_worker(
            work, thread=True, exclusive=True, group=name, exit_on_error=False, description=name
        )

    def _build_off_loop(self, version: int, ctx: PaneContext) -> None:
        table = self.build(version, ctx)
        if self._shown < 0 and not self.table.filter_text:
            # As the alerts pane: the first rows are shown before their search texts exist
            # (the screen prepares the lines it draws; a filter needs them all), which come
            # next from this thread.
            self.app.call_from_thread(self._arrived, table, None)
            after_the_screen()
            self.app.call_from_thread(self._adopt, table, prepare_rows(table.rows))
            return
        self.app.call_from_thread(self._arrived, table, prepare_rows(table.rows))

    def _adopt(self, table: T, prepared: PreparedRows) -> None:
        if table.version == self._shown:
            self.table.adopt_prepared(table.rows, prepared)

    def _arrived(self, table: T, prepared: PreparedRows | None) -> None:
        if table.version == self._asked:
            self.await_rows(False)
        if table.version > self._shown:  # else older than the rows on screen: dropped
            self._show(table, prepared)
            self.refresh_title()

    def _show(self, table: T, prepared: PreparedRows | None = None) -> None:
        if self._shown < 0:
            self.table.set_empty_text(self.EMPTY_TEXT)
        self._shown = table.version
        self.show_table(table, prepared)
