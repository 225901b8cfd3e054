"""What a pane is handed to render one moment: the state, the time, thresholds and catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cockpit.domain.state import IncidentState
from cockpit.domain.thresholds import Thresholds
from cockpit.domain.views import AlertPolicy


@dataclass(frozen=True, slots=True)
class PaneContext:
    """Everything a pane needs to render one moment of the incident."""

    state: IncidentState
    now: datetime
    """From the app's clock (live) or the player's virtual time (replay)."""
    thresholds: Thresholds
    policy: AlertPolicy
    """The alert catalog (severity and runbook per alert name)."""
    default_refresh_s: float
    """Poll interval assumed for a source that `state.sources` does not describe."""
    revision: int = -1
    """The session's state revision; a pane skips work it already did for this revision
    (-1: unknown, always render)."""
    catalog_pending: bool = False
    """The app is still reading the alert catalog (after the first frame): `policy` is a
    stand-in, and a large alert set waits for the real one rather than being ranked twice."""
    replay: bool = False
    """The state is a replay's, at its playhead: fresh data is not "live"."""

    def at(self, now: datetime) -> PaneContext:
        """The same moment's context at `now` (the 1 Hz tick, once per pane: the
        constructor, where `dataclasses.replace` would inspect the fields every time)."""
        return PaneContext(self.state, now, self.thresholds, self.policy, self.default_refresh_s,
                           self.revision, self.catalog_pending, self.replay)  # fmt: skip

    def kind_key(self, kind: str) -> tuple[object, ...]:
        """What a pane of `kind` shows, cheaply: the seq of each of its sources' last poll
        (a source the log never described counts for every pane). A log that describes no
        source at all falls back to the revision: any change redraws."""
        sources = self.state.sources
        if not sources:
            return (("revision", self.revision),)
        return tuple(
            (name, seq)
            for name, seq in self.state.source_seq.items()
            if (info := sources.get(name)) is None or info.kind == kind
        )
