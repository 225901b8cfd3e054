"""What the runbook screen needs from the app, and who the operator is."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from cockpit.runbook.exec.base import Operator

if TYPE_CHECKING:
    from cockpit.session import Session


class _Options(Protocol):
    @property
    def read_only(self) -> bool: ...
    @property
    def author(self) -> str: ...


class RunbookHost(Protocol):
    """What the runbook screen needs from the app (CockpitApp has it)."""

    @property
    def session(self) -> Session: ...
    @property
    def options(self) -> _Options: ...


def default_operator(author: str) -> Operator:
    """The operator from the environment, named like the app's note author."""
    user = author.split("@", 1)[0] if author else None
    return Operator.from_env(os.environ, user=user)
