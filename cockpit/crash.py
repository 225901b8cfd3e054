"""Crash reports without local variables and scrubbed of secrets, for Textual and plain Python.

Textual's default crash report (`App._fatal_error`) is a Rich traceback with
`show_locals=True`: every frame's variables, among them resolved tokens, DSNs and the
whole environment, end up on the terminal. `fatal_error` replaces it on the cockpit's App
class; `install_excepthook` covers crashes outside Textual.
"""

from __future__ import annotations

import io
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cockpit.settings.secrets import redact

if TYPE_CHECKING:
    from textual.app import App

WIDTH = 100
"""Report width when the app's console has none (headless, a test)."""


def report(error: BaseException, width: int = WIDTH) -> str:
    """The traceback of `error` as plain text: code lines, no locals, secrets redacted."""
    from rich.console import Console
    from rich.traceback import Traceback

    console = Console(
        file=io.StringIO(), width=width, color_system=None, force_terminal=False, record=False
    )
    rich_tb = Traceback.from_exception(
        type(error), error, error.__traceback__, show_locals=False, width=width
    )
    console.print(rich_tb)
    file = console.file
    assert isinstance(file, io.StringIO)
    return redact(file.getvalue())


def fatal_error(app: App[Any]) -> None:
    """Drop-in for `App._fatal_error`: the same exit path, a report without locals."""
    from rich.text import Text

    error = sys.exc_info()[1] or getattr(app, "_exception", None)
    app.bell()
    if error is None:
        text = "cockpit: an unexpected error stopped the app (no traceback available)\n"
    else:
        text = report(error, app.console.width or WIDTH)
    app._exit_renderables.append(Text(text))
    app._close_messages_no_wait()


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    lines = traceback.format_exception(kind, error, tb)
    sys.stderr.write(redact("".join(lines)))


def install_excepthook() -> None:
    """Scrub known secrets from Python's own report of an uncaught exception."""
    sys.excepthook = _excepthook
