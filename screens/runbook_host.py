"""What the runbook screen needs from the app: session, options (permissions), operator."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from cockpit.permissions import Permissions
from cockpit.runbook.exec.base import Operator
from cockpit.screens.header import HeaderInfo

if TYPE_CHECKING:
    from cockpit.session import Session


class _Options(Protocol):
    @property
    def author(self) -> str: ...
    @property
    def header(self) -> HeaderInfo: ...
    @property
    def permissions(self) -> Permissions: ...


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
