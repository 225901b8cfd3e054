"""Grafana links: fill the configured URL templates with percent-encoded values (pure).

A template is a URL, or a path joined to `base_url`, holding `{name}` placeholders. Every
value put into one comes from outside (alert labels, pane rows, step targets) and is
percent-encoded whole (`/`, `&`, `#`, `?`, quotes, spaces and controls included), so a value
can neither leave its query parameter nor change the host; `{name_json}` puts the value
as a JSON string (for Explore's `panes` state), encoded the same way. Literal text of the
template is the operator's and is only normalised (characters a URL may not hold, such as
spaces, braces and quotes, are encoded). Placeholders may not appear before the path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BAD_BRACE = re.compile(r"\{\{|\{\s+[A-Za-z_]|\{[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_}])")
_LITERAL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"
MAX_URL = 8000
"""Longest URL handed to the clipboard (terminals cap OSC 52 payloads)."""
LEAD = timedelta(minutes=15)
"""How far before an item's start a link's time range begins (to see what led to it)."""
DEFAULT_SPAN = timedelta(hours=1)
"""The time range of an item without a start (a pane row, a step): the last hour."""


@dataclass(frozen=True, slots=True)
class GrafanaTemplates:
    """The `[grafana]` table as plain values: the base URL and the two templates."""

    base_url: str = ""
    dashboard: str = ""
    explore: str = ""

    @property
    def configured(self) -> bool:
        """True when at least one template is set."""
        return bool(self.dashboard or self.explore)


@dataclass(frozen=True, slots=True)
class GrafanaLink:
    """A built URL, which template made it, and the placeholders that had no value."""

    url: str
    template: str
    missing: tuple[str, ...] = ()


def template_problem(template: str, base_url: str = "") -> str | None:
    """Why `template` cannot be used (one line naming the fix), or None when it can."""
    bad = _BAD_BRACE.search(template)
    if bad is not None:
        return (
            f"malformed placeholder near {template[bad.start() : bad.start() + 12]!r}: write "
            "{name} (one pair of braces, no spaces), e.g. {service}"
        )
    if template.startswith("/"):
        return None if base_url else "a template starting with / needs [grafana] base_url"
    if not template.startswith(("http://", "https://")) or not urlsplit(template).netloc:
        return "expected a path starting with / (joined to base_url) or an http(s):// URL"
    head = template.split("{", 1)[0]
    after_scheme = head.split("://", 1)[1] if "://" in head else ""
    if PLACEHOLDER.search(template) and "/" not in after_scheme:
        return "a placeholder may not stand in the scheme or host: the host must be fixed"
    return None


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholder names of `template`, in order, without duplicates."""
    return tuple(dict.fromkeys(PLACEHOLDER.findall(template)))


def fill(template: str, base_url: str, values: Mapping[str, str]) -> GrafanaLink:
    """The URL of `template` with every placeholder replaced by its encoded value.

    A placeholder without a value becomes empty and is listed in `missing`;
    `name_json` takes `name`'s value as a JSON string. Raises ValueError for a template
    `template_problem` refuses or a URL longer than MAX_URL.
    """
    problem = template_problem(template, base_url)
    if problem is not None:
        raise ValueError(problem)
    missing: list[str] = []
    out: list[str] = []
    pos = 0
    for match in PLACEHOLDER.finditer(template):
        out.append(quote(template[pos : match.start()], safe=_LITERAL_SAFE))
        name = match.group(1)
        value = _value(name, values)
        if value is None:
            missing.append(name)
            value = ""
        out.append(quote(value, safe=""))
        pos = match.end()
    out.append(quote(template[pos:], safe=_LITERAL_SAFE))
    url = "".join(out)
    if template.startswith("/"):
        url = base_url.rstrip("/") + url
    if len(url) > MAX_URL:
        raise ValueError(f"the URL would be {len(url)} characters (at most {MAX_URL})")
    return GrafanaLink(url, template, tuple(dict.fromkeys(missing)))


def _value(name: str, values: Mapping[str, str]) -> str | None:
    if name in values:
        return values[name]
    if name.endswith("_json") and name[: -len("_json")] in values:
        return json.dumps(values[name[: -len("_json")]], ensure_ascii=False)
    return None


def link_for(
    templates: GrafanaTemplates, values: Mapping[str, str], *, prefer_explore: bool = False
) -> GrafanaLink | str:
    """The item's link, or why there is none (one line for the operator).

    Items with a query (`expr`: promql and logql steps) prefer the explore template; the
    others the dashboard one. The other template is the fallback.
    """
    if not templates.configured:
        return "no Grafana template configured: set [grafana] dashboard or explore"
    order = (templates.explore, templates.dashboard)
    if not prefer_explore:
        order = order[::-1]
    chosen = next(t for t in order if t)
    try:
        return fill(chosen, templates.base_url, values)
    except ValueError as err:
        return f"no Grafana link: {err}"


def window(now: datetime, since: datetime | None = None) -> dict[str, str]:
    """`from` and `to` in epoch milliseconds (Grafana's URL form) for an item at `now`."""
    start = (since - LEAD) if since is not None else now - DEFAULT_SPAN
    return {"from": str(int(start.timestamp() * 1000)), "to": str(int(now.timestamp() * 1000))}


def alert_values(
    name: str, labels: Mapping[str, str], now: datetime, age_s: float
) -> dict[str, str]:
    """The placeholders of an alert: its labels, `alertname`, and a range from before it
    began until now."""
    values = dict(labels)
    values.setdefault("alertname", name)
    values.update(window(now, now - timedelta(seconds=max(age_s, 0.0))))
    return values
