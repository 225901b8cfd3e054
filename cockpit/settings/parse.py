"""Parse one config text into a validated ConfigFile, turning every problem into one line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit.settings.errors import ConfigError, ConfigUnreadable, ConfigWarning, toml_type
from cockpit.settings.keys import prune_unknown
from cockpit.settings.lines import KeyLines
from cockpit.settings.lite import ErrorDetails, ValidationError
from cockpit.settings.model import ConfigFile
from cockpit.settings.secrets import find_literal_secrets
from cockpit.settings.types import KeyValueError

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_EXPECTED = {
    "string_type": "expected a string in quotes",
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "float_type": "expected a number",
    "list_type": 'expected a list, e.g. ["a", "b"]',
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "string_pattern_mismatch": "expected letters, digits, '_', '-' or '.' (at most 40)",
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """A validated file: the model, its warnings and its key lines (for later messages)."""

    config: ConfigFile
    warnings: tuple[ConfigWarning, ...]
    lines: KeyLines


def read_text(path: Path, shown: str) -> str:
    """The file's text, or a ConfigError saying why it cannot be read."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigUnreadable("config file not found; check the path", shown) from None
    except IsADirectoryError:
        raise ConfigUnreadable("is a directory; expected a TOML file", shown) from None
    except UnicodeDecodeError as exc:
        raise ConfigUnreadable(f"not UTF-8 text (byte {exc.start})", shown) from None
    except OSError as exc:
        raise ConfigUnreadable(f"cannot read the file ({exc.strerror})", shown) from None


def parse_text(text: str, shown: str | None, base_dir: Path) -> Parsed:
    """Parse and validate TOML `text`; raises ConfigError carrying every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        line = int(at.group(1)) if at else None
        detail = _TOML_AT.sub("", message)
        if at:
            detail = f"{detail} (column {at.group(2)})"
        raise ConfigError(f"TOML syntax error: {detail}", shown, line) from None
    lines = KeyLines(text)
    errors = [
        ConfigError(message, shown, lines.line_of(path), ".".join(path))
        for path, message in find_literal_secrets(raw)
    ]
    flagged = frozenset(path for path, _ in find_literal_secrets(raw))
    data, unknown = prune_unknown(raw, ConfigFile, flagged)
    warnings = tuple(
        ConfigWarning(key.describe(), shown, lines.line_of(key.path), None) for key in unknown
    )
    config: ConfigFile | None = None
    try:
        config = ConfigFile.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        errors.extend(_from_details(item, shown, lines) for item in exc.errors())
    if config is not None:
        errors.extend(_check_default_environment(config, shown, lines))
    if errors or config is None:
        errors.sort(key=lambda e: e.line if e.line is not None else 0)
        first, *others = errors
        raise ConfigError(
            first.message,
            first.file,
            first.line,
            first.key,
            others=tuple(others),
            warnings=warnings,
        )
    return Parsed(config, warnings, lines)


def _from_details(item: ErrorDetails, shown: str | None, lines: KeyLines) -> ConfigError:
    path = tuple(str(part) for part in item["loc"] if part != "[key]")
    kind = item["type"]
    value: Any = item.get("input")
    if kind == "value_error":
        message = item["msg"].removeprefix("Value error, ")
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, KeyValueError):
            path = (*path, *cause.key.split("."))
    elif kind in _EXPECTED:
        message = f"{_EXPECTED[kind]}, got {toml_type(value)}"
    elif kind.startswith(("greater", "less")):
        message = f"{item['msg'].replace('Input should be', 'must be')}, got {value}"
    else:
        message = item["msg"].replace("Input should be", "expected")
        message = message.replace("Input ", "").replace("Dictionary", "key")
    return ConfigError(message, shown, lines.line_of(path), ".".join(path) or None)


def _check_default_environment(
    config: ConfigFile, shown: str | None, lines: KeyLines
) -> list[ConfigError]:
    name = config.default_environment
    if name is None or name in config.environments:
        return []
    known = ", ".join(sorted(config.environments)) or "none defined"
    return [
        ConfigError(
            f"no [environments.{name}] table (known: {known})",
            shown,
            lines.line_of(("default_environment",)),
            "default_environment",
        )
    ]
