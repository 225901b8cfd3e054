"""The stand-in for the host in a simulated session: what `exec`, `http` and `sql` steps ask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Toolbox(Protocol):
    """Stands in for the host in a simulated session (the demo): programs, HTTP, PostgreSQL.

    With a toolbox in the targets, `exec` steps never start a process and `http` steps never
    leave it: the toolbox answers from the simulated platform, or says what it cannot do.
    """

    def run(self, argv: Sequence[str]) -> tuple[int, str]:
        """Exit status and output of `argv`, as the simulated platform would answer."""
        ...

    def request(self, method: str, url: str) -> tuple[int, str]:
        """HTTP status (0: not sent) and body of a request, answered without the network."""
        ...

    def postgres_refusal(self) -> str:
        """Why SQL steps cannot run here (one line)."""
        ...
