"""Jinja2 rendering: template lookup, safe output of every value, errors with file and line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from cockpit.export.redact import Redactor, scrub_secrets
from cockpit.sanitize import clean

SUFFIX = ".md.j2"
DEFAULT_TEMPLATE = "postmortem"


class TemplateProblem(Exception):
    """A template is missing or broken; the message names the file and line."""


class Md(str):
    """Text already in Markdown form: printed as is (still scrubbed of secrets)."""

    __slots__ = ()


_ESCAPE = re.compile(r"([\\`*_\[\]<>|#])")
_LEADING = re.compile(r"^([-+=]|\d+[.)])")
_SPACES = re.compile(r"\s+")
_BLANKS = re.compile(r"\n{3,}")


def md_inline(text: str) -> str:
    """One line of plain text made inert in Markdown (no emphasis, links, HTML or tables)."""
    value = _SPACES.sub(" ", clean(text, single_line=True))
    value = _ESCAPE.sub(r"\\\1", value)
    return _LEADING.sub(r"\\\1", value)


def shipped_dir() -> Path:
    """The directory of the templates shipped in the package."""
    return Path(str(files("cockpit.export").joinpath("templates")))


def shipped_names() -> list[str]:
    """Names of the shipped templates (`postmortem`, `incident-report`, ...)."""
    return sorted(
        p.name.removesuffix(SUFFIX)
        for p in shipped_dir().glob(f"*{SUFFIX}")
        if not p.name.startswith("_")
    )


def available_names(user_dirs: Sequence[Path] = ()) -> list[str]:
    """Shipped template names plus those found in `user_dirs`."""
    names = set(shipped_names())
    for folder in user_dirs:
        if folder.is_dir():
            names.update(
                p.name.removesuffix(SUFFIX)
                for p in folder.glob(f"*{SUFFIX}")
                if not p.name.startswith("_")
            )
    return sorted(names)


def resolve(choice: str, user_dirs: Sequence[Path] = ()) -> tuple[list[Path], str]:
    """Search path and template file name for `choice`: a file path, or a name looked up in
    `user_dirs` first, then among the shipped templates."""
    path = Path(choice).expanduser()
    search = [*user_dirs, shipped_dir()]
    if path.is_file():
        return [path.parent.resolve(), *search], path.name
    if "/" in choice or choice.endswith(".j2"):
        raise TemplateProblem(f"template file {choice} not found")
    name = f"{choice}{SUFFIX}"
    if any((d / name).is_file() for d in search):
        return search, name
    known = ", ".join(available_names(user_dirs))
    raise TemplateProblem(f"no template named {choice!r} (known: {known}; or give a file path)")


def _finalizer(redact: Redactor) -> Any:
    def finalize(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, Md):
            return scrub_secrets(str(value))
        if isinstance(value, bool | int | float):
            return str(value)
        return md_inline(redact(str(value)))

    return finalize


def render(
    choice: str, context: dict[str, Any], redact: Redactor, user_dirs: Sequence[Path] = ()
) -> str:
    """Render template `choice` with `context`; every printed value is cleaned and redacted."""
    search, name = resolve(choice, user_dirs)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - Markdown, not HTML: `finalize` escapes every value
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalizer(redact),
    )
    env.filters["md"] = lambda v: Md(str(v))
    try:
        template = env.get_template(name)
        text = template.render(context)
    except jinja2.TemplateSyntaxError as err:
        where = err.filename or name
        raise TemplateProblem(f"{where}:{err.lineno}: template error: {err.message}") from None
    except jinja2.TemplateNotFound as err:
        raise TemplateProblem(f"{name}: includes a template that is missing: {err.name}") from None
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as err:
        where = _template_line(err.__traceback__, search) or name
        raise TemplateProblem(f"{where}: template error: {err}") from None
    # Template blocks leave stray blank lines; Markdown lint wants at most one in a row.
    return _BLANKS.sub("\n\n", scrub_secrets(text)).strip("\n") + "\n"


def _template_line(tb: TracebackType | None, search: Sequence[Path]) -> str | None:
    """file:line of the innermost template frame (Jinja maps its frames to template lines)."""
    roots = tuple(str(p) for p in search)
    found: str | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(roots) and filename.endswith(".j2"):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
