"""The replay transport keys: play, pause, speed, step, go to a time, back to the start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.screens.act import ActionsApp
from cockpit.session import ReplaySession

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.log.player import Player
    from cockpit.screens.transport import TransportBar
    from cockpit.session import Session

REPLAY_KEYS = (
    ("space", "play_pause", "Play/pause"),
    ("plus,equals_sign", "speed(True)", "Faster"),
    ("minus", "speed(False)", "Slower"),
    ("full_stop", "step", "Step"),
    ("right_square_bracket", "step_human", "Next human event"),
    ("g", "seek", "Go to"),
    ("home", "rewind", "Start"),
)
"""Transport keys, bound only while replaying."""


class ReplayKeys(ActionsApp):
    """The transport actions (a no-op outside a replay: the keys are bound only in one)."""

    session: Session
    transport: TransportBar | None

    def _wake(self) -> None:
        """Run or pause the app's timers as the playhead moves or stops (the app's own)."""
        raise NotImplementedError

    def _player(self) -> Player | None:
        return self.session.player if isinstance(self.session, ReplaySession) else None

    def action_play_pause(self) -> None:
        """Play or pause the replay."""
        if (player := self._player()) is not None:
            player.pause() if player.playing else player.play()
            self._wake()
            self.render_state()

    def action_speed(self, faster: bool) -> None:
        """Next speed on the 1x..64x ladder."""
        if (player := self._player()) is not None:
            from cockpit.screens.transport import next_speed

            player.set_speed(next_speed(player.speed, faster))
            self.render_state()

    def action_step(self) -> None:
        """Apply the next event."""
        if (player := self._player()) is not None:
            player.step()
            self.render_state()

    def action_step_human(self) -> None:
        """Jump to the next note, action, incident change or status update."""
        if (player := self._player()) is not None:
            if player.step_human() is None:
                self.notify("No human event after this point.")
            self.render_state()

    def action_seek(self) -> None:
        """Ask for a time and go there."""
        if self._player() is not None and self.transport is not None:
            start = self.transport.start
            if start is not None:
                from cockpit.screens.transport import SeekDialog

                self.push_screen(SeekDialog(start), self._seek_to)

    def _seek_to(self, when: datetime | None) -> None:
        if when is not None and self.transport is not None:
            self.transport.seek(when, self.render_state)  # folds in a worker

    def action_rewind(self) -> None:
        """Back to the first event."""
        player = self._player()
        if player is not None and self.transport is not None and self.transport.start is not None:
            player.seek(self.transport.start)
            self.render_state()
