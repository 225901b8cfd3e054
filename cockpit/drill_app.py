"""The cockpit in a drill: the DRILL banner on every screen, opened runbooks recorded, and the
debrief at the end of the source log or on `q` (a second `q` quits)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import Clock
from cockpit.domain.drill import DebriefRow
from cockpit.drill_session import DrillSession
from cockpit.screens.drill import BANNER_ID, DebriefScreen, DrillBanner, banner_text

if TYPE_CHECKING:
    from textual.screen import ScreenResultCallbackType


class DrillApp(CockpitApp):
    """`cockpit drill`: the normal screens and actions on a `DrillSession`."""

    def __init__(self, session: DrillSession, options: AppOptions, *, clock: Clock, speed: float):
        super().__init__(session, options, clock=clock)
        self.drill = session
        self.banner = banner_text(session.source.rsplit("/", 1)[-1], speed)
        self.debriefed = False

    def on_mount(self) -> None:
        """The banner on every screen from now on. Textual then calls `CockpitApp.on_mount`
        itself (it dispatches a message to each class of the MRO): calling it here too
        started the session twice, and the second start reset the drill clock."""
        self.screen_change_signal.subscribe(self, self._on_screen_change)
        self._add_banner(self.screen)  # the dashboard, the first screen (never pushed)

    def _on_screen_change(self, screen: Screen[object]) -> None:
        self._add_banner(screen)

    def _add_banner(self, screen: Screen[object], tries: int = 100) -> None:
        """Mount the banner once the screen is mounted (a pushed screen mounts later)."""
        if screen not in self.screen_stack:
            return
        if not screen.is_mounted:
            if tries:
                self.set_timer(0.02, lambda: self._add_banner(screen, tries - 1))
            return
        if not screen.query(f"#{BANNER_ID}"):
            screen.mount(DrillBanner(self.banner))

    def push_screen(  # type: ignore[override]
        self,
        screen: Screen[Any] | str,
        callback: ScreenResultCallbackType[object] | None = None,
        wait_for_dismiss: bool = False,
    ) -> object:
        """Every screen, as the app pushes it; a runbook screen is recorded as opened."""
        from cockpit.screens.runbook_screen import RunbookScreen

        if isinstance(screen, RunbookScreen):
            self.drill.opened_runbook(screen.runbook.id)
        return super().push_screen(screen, callback, wait_for_dismiss)  # type: ignore[call-overload]

    def _pump(self) -> None:
        """Read what is new; at the end of the source log, the debrief (once)."""
        super()._pump()
        if self.drill.finished and not self.debriefed and not self._quitting:
            self.show_debrief("end of the source log")

    def show_debrief(self, reason: str) -> None:
        """Compare on a worker thread, then keep it in the drill log and show it."""
        if self.debriefed:
            return
        self.debriefed = True
        self.drill.pump()  # the observations due now are on disk before the logs are read
        self.run_worker(lambda: self._compare(reason), thread=True, group="debrief")

    def _compare(self, reason: str) -> None:
        rows, runbook = self.drill.compare()
        self.call_from_thread(self._debriefed, rows, runbook, reason)

    def _debriefed(self, rows: tuple[DebriefRow, ...], runbook: str, reason: str) -> None:
        self.drill.keep_debrief(rows, runbook, reason)
        self.push_screen(DebriefScreen(rows, runbook, reason, self.banner, self.drill.log_path))

    async def action_request_quit(self) -> None:
        """The first `q` shows the debrief; once it is shown, `q` quits (no question)."""
        if not self.debriefed:
            self.show_debrief("stopped by the trainee")
        elif self.drill.debrief is not None:
            await self._close_and_exit()
