"""Cyclic garbage collection held off while the program starts, then frozen out of the way.

Importing Textual and our own modules allocates a few hundred thousand objects;
the collector would walk them over and over while nothing is garbage yet. `pause()` at the
very start and `settle()` once the first frame is drawn (or a batch command is about to
work) save that time, and `gc.freeze()` keeps every later collection off the startup heap.
"""

from __future__ import annotations

import gc

_paused = False
_owned = False
"""True once `pause()` ran: the command line owns this process and may freeze its heap."""


def pause() -> None:
    """Stop automatic collection until `settle()` (called by the command line only)."""
    global _owned, _paused
    _owned = True
    if gc.isenabled():
        gc.disable()
        _paused = True


def settle() -> None:
    """Collect once, freeze what is left and let the collector run again; does nothing
    unless `pause()` stopped it (an app built in a test process never freezes that process's
    heap). Startup leaves a few thousand objects in cycles (the classes `dataclass(slots=True)`
    replaces, argparse's formatters, Textual's scratch nodes): frozen, they would stay for the
    life of the process (0.9 MB of the live cockpit's RSS); collected first, later objects
    reuse their memory. The collection (25-50 ms) runs after the first frame."""
    global _paused
    if _paused:
        _paused = False
        gc.collect()
        gc.freeze()
        gc.enable()


def refreeze() -> None:
    """Move what exists now out of the collector's way once a big long-lived structure is
    built (the replay's checkpoints): each full collection scanned all of it again, 70-110
    ms held on the UI thread. Only in a process the command line started."""
    if _owned:
        gc.freeze()
