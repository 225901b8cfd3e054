"""Which PagerDuty incident the scribe's notes are copied to, and the text sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_NOTE = 2000
"""PagerDuty caps a note's content; a longer scribe note is cut with a marker."""


@dataclass
class NoteMirror:
    """Mutable on purpose: the command screen's switch turns it on and off while the app's
    note action reads it. `target` None means notes stay in our log only."""

    target: str | None = None
    title: str = ""

    @property
    def enabled(self) -> bool:
        """True while notes are copied to PagerDuty."""
        return self.target is not None

    def link(self, incident_id: str, title: str = "") -> None:
        """Copy notes to `incident_id` from now on."""
        self.target, self.title = incident_id, title

    def unlink(self) -> None:
        """Stop copying notes."""
        self.target, self.title = None, ""


def note_content(text: str, author: str) -> str:
    """The PagerDuty note for a scribe note: who wrote it, then the text (bounded)."""
    body = f"[cockpit scribe {author}] {text.strip()}"
    return body if len(body) <= MAX_NOTE else body[: MAX_NOTE - 3] + "..."


def linked_incident(
    incidents: Sequence[Mapping[str, str]], our_id: str | None
) -> Mapping[str, str] | None:
    """The open PagerDuty incident opened by paging ours (dedup key = our incident id)."""
    if not our_id:
        return None
    return next((i for i in incidents if i.get("incident_key") == our_id), None)
