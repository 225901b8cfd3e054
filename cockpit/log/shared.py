"""What the screens show of a shared incident: the store's reachability and who is in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.log.pgpresence import Present


@dataclass(frozen=True, slots=True)
class SharedStatus:
    """ "shared log offline since HH:MM" (or None), and the people present at the last beat."""

    offline: str | None
    people: tuple[Present, ...]


def shared_status(log: object) -> SharedStatus | None:
    """The status of a store-backed log; None for a plain file log (nothing to show)."""
    status = getattr(log, "status", None)
    present = getattr(log, "present", None)
    if not callable(status) or not callable(present):
        return None
    return SharedStatus(status(), tuple(present()))
