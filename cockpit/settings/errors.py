"""Config problems as values: one error or warning, each rendered as one clear line."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.sanitize import clean


class ConfigError(Exception):
    """A config problem that stops loading; `str()` is the one line shown to the user.

    The line reads `FILE:LINE: KEY: MESSAGE`, leaving out the parts that are unknown.
    `others` holds further problems found in the same pass, `warnings` the lesser ones
    (unknown keys), so `cockpit config check` can show them all.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
        *,
        others: tuple[ConfigError, ...] = (),
        warnings: tuple[ConfigWarning, ...] = (),
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        self.others = others
        self.warnings = warnings
        super().__init__(render(message, file, line, key))

    def __str__(self) -> str:
        return render(self.message, self.file, self.line, self.key)

    @property
    def all(self) -> tuple[ConfigError, ...]:
        """This error followed by the others found in the same pass."""
        return (self, *self.others)


class ConfigUnreadable(ConfigError):
    """The config file is missing or cannot be read (as opposed to invalid content)."""


@dataclass(frozen=True, slots=True)
class ConfigWarning:
    """A problem that does not stop loading (an unknown key, a reference not set here)."""

    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        return render(self.message, self.file, self.line, self.key)


def render(message: str, file: str | None, line: int | None, key: str | None) -> str:
    """Format the parts of a problem as `FILE:LINE: KEY: MESSAGE` (missing parts left out)."""
    # Keys and values come from the file: keep escape sequences off the terminal.
    message = clean(message, single_line=True)
    key = clean(key, single_line=True) if key else key
    file = clean(file, single_line=True) if file is not None else None
    where = ""
    if file is not None:
        where = f"{file}:{line}: " if line is not None else f"{file}: "
    what = f"{key}: " if key else ""
    return f"{where}{what}{message}"


def toml_type(value: object) -> str:
    """Name a parsed TOML value's type the way the file spells it, for 'got ...' messages."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"
