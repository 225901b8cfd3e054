"""What the runbook screen needs from the app: session, options, permissions, operator."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import Operator
from cockpit.screens.header import HeaderInfo

if TYPE_CHECKING:
    from cockpit.session import Session


class _Options(Protocol):
    @property
    def author(self) -> str: ...
    @property
    def header(self) -> HeaderInfo: ...


class RunbookHost(Protocol):
    """What the runbook screen needs from the app (CockpitApp has it)."""

    @property
    def session(self) -> Session: ...
    @property
    def options(self) -> _Options: ...


def permissions_of(host: RunbookHost) -> Permissions:
    """The session's permission decision, `app.options.permissions`.

    Until AppOptions carries it, it is decided here once from the same inputs (mode,
    --read-only, environment, role) so that this screen still asks `Permissions` only.
    """
    options = host.options
    decided = getattr(options, "permissions", None)
    if isinstance(decided, Permissions):
        return decided
    header = options.header
    mode = {"DEMO": Mode.DEMO, "REPLAY": Mode.REPLAY}.get(header.mode, Mode.LIVE)
    return Permissions.decide(
        mode if host.session.writable else Mode.REPLAY,
        read_only=bool(getattr(options, "read_only", False)),
        environment=header.environment,
        production=header.production,
        role=str(getattr(options, "role", "responder")),
    )


def default_operator(author: str) -> Operator:
    """The operator from the environment, named like the app's note author."""
    user = author.split("@", 1)[0] if author else None
    return Operator.from_env(os.environ, user=user)
