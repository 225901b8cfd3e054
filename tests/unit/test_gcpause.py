"""gcpause: startup garbage is collected before the startup heap is frozen, not kept."""

from __future__ import annotations

from cleanpy import run_clean


def test_settle_collects_the_startup_cycles_before_freezing() -> None:
    """A cycle dropped while collection was paused is freed by `settle()`, which then
    freezes what is left and turns the collector back on (in a fresh process: both change
    the interpreter's collector for good)."""
    code = """
import gc, weakref
from cockpit import gcpause
class Node:
    pass
gcpause.pause()
assert not gc.isenabled()
kept = [Node() for _ in range(3)]
dropped = Node()
dropped.me = dropped
alive = weakref.ref(dropped)
del dropped
gcpause.settle()
print(alive() is None, gc.isenabled(), gc.get_freeze_count() > 0, len(kept))
"""
    stdout = run_clean(code)
    assert stdout.split() == ["True", "True", "True", "3"]


def test_settle_does_nothing_unless_paused() -> None:
    """In a process the command line did not start (tests), nothing is frozen."""
    code = """
import gc
from cockpit import gcpause
gcpause.settle()
print(gc.isenabled(), gc.get_freeze_count())
"""
    stdout = run_clean(code)
    assert stdout.split() == ["True", "0"]
