"""The alert catalog: load runbooks/alerts.yaml and generate Prometheus rules from it."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cockpit import yamlcache
from cockpit.settings.lite import ConfigDict, Field, Table, ValidationError, field_validator

SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class CatalogError(Exception):
    """The catalog file is unreadable or invalid; the message is one line naming the spot."""


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One alert of the catalog."""

    name: str
    expr: str
    for_: str
    severity: str
    runbook: str | None
    summary: str
    description: str
    target: tuple[str, ...]
    threshold: float | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    """All alerts of one catalog file, with lookups by alert name."""

    alerts: tuple[AlertRule, ...]
    group: str = "cockpit-alert-catalog"

    def by_name(self, name: str) -> AlertRule | None:
        """The alert called `name`, or None."""
        return next((a for a in self.alerts if a.name == name), None)

    def severity_of(self, name: str) -> str | None:
        """Catalog severity (SEV-n) of an alert name; None for alerts not in the catalog."""
        rule = self.by_name(name)
        return rule.severity if rule else None

    def runbook_of(self, name: str) -> str | None:
        """Runbook id (RB-nnn) of an alert name; None if unknown or without runbook."""
        rule = self.by_name(name)
        return rule.runbook if rule else None

    def thresholds(self) -> Mapping[str, float]:
        """Alert name -> the number its expression compares against."""
        return {a.name: a.threshold for a in self.alerts if a.threshold is not None}


class _AlertModel(Table):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(pattern=r"^[A-Z][A-Za-z0-9]+$")
    expr: str = Field(min_length=1)
    for_: str = Field(alias="for")
    severity: Literal["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    runbook: str | None = Field(pattern=r"^RB-\d{3}$")
    summary: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1)
    target: tuple[str, ...] = Field(min_length=1)
    threshold: float | None = None
    note: str | None = None

    @field_validator("for_")
    @classmethod
    def _check_for(cls, value: str) -> str:
        duration_seconds(value)
        return value


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file (default: the packaged cockpit.runbooks/alerts.yaml).

    Raises CatalogError with one line naming the file, the alert and the field.
    """
    if path is None:
        # The package's own folder, as importlib.resources finds it (without its zipfile).
        # (By name: in a checkout `cockpit.runbooks` exists only through the install mapping.)
        from importlib import import_module

        runbooks = import_module("cockpit.runbooks")
        shipped = Path(runbooks.__file__ or "").with_name("alerts.yaml")
        where = "cockpit.runbooks/alerts.yaml"
        text = _read(lambda: shipped.read_text(encoding="utf-8"), "")
    else:
        where = str(path)
        text = _read(lambda: path.read_text(encoding="utf-8"), where)
    try:
        doc = yamlcache.load(text)
    except yamlcache.YamlSyntaxError as exc:
        line = f":{exc.line}" if exc.line is not None else ""
        raise CatalogError(f"{where}{line}: not valid YAML; fix the syntax") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("alerts"), list):
        raise CatalogError(f"{where}: expected a mapping with an `alerts:` list")
    group = doc.get("group", "cockpit-alert-catalog")
    if not isinstance(group, str) or not group:
        raise CatalogError(f"{where}: `group` must be a non-empty string")
    alerts: list[AlertRule] = []
    for index, item in enumerate(doc["alerts"]):
        alerts.append(_parse_alert(item, where, index))
    names = [a.name for a in alerts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CatalogError(f"{where}: alert {dupes[0]!r} is defined twice; keep one")
    return Catalog(alerts=tuple(alerts), group=group)


def _read(reader: Any, where: str) -> str:
    try:
        return str(reader())
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{where or 'alerts.yaml'}: cannot read the catalog ({exc})") from None


def _parse_alert(item: object, where: str, index: int) -> AlertRule:
    label = f"alert #{index + 1}"
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        label = f"alert {item['name']!r}"
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: {label}: expected a mapping of fields")
    try:
        model = _AlertModel.model_validate(item)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(alert)"
        raise CatalogError(f"{where}: {label}: field {field!r}: {err['msg']}") from None
    return AlertRule(
        name=model.name,
        expr=" ".join(model.expr.split()),
        for_=model.for_,
        severity=model.severity,
        runbook=model.runbook,
        summary=model.summary,
        description=" ".join(model.description.split()),
        target=model.target,
        threshold=model.threshold,
        note=" ".join(model.note.split()) if model.note else None,
    )


def duration_seconds(text: str) -> int:
    """Seconds of a Prometheus duration made of h/m/s parts ("1h30m", "2m", "0s")."""
    match = _DURATION.match(text)
    if not text or match is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 5m, 1h30m)")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def format_duration(seconds: int) -> str:
    """The shortest Prometheus duration for a whole number of seconds (0 -> "0s")."""
    if seconds <= 0:
        return "0s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "".join(parts)


def _scaled_for(rule: AlertRule, for_scale: float, for_override: str | None) -> str:
    if for_override is not None:
        return format_duration(duration_seconds(for_override))
    seconds = duration_seconds(rule.for_)
    if seconds == 0 or for_scale == 1.0:
        return format_duration(seconds)
    # A scaled non-zero wait never drops to zero: that would change pending semantics.
    return format_duration(max(1, round(seconds * for_scale)))


def _target_suffix(rule: AlertRule) -> str:
    return " (" + ", ".join(f"{t}={{{{ $labels.{t} }}}}" for t in rule.target) + ")"


def generate_rules(
    catalog: Catalog, *, for_scale: float = 1.0, for_override: str | None = None
) -> str:
    """Prometheus rules YAML for every catalog alert.

    `for_scale` multiplies each `for` (tests use a small factor); `for_override` replaces
    every `for` with one duration. Labels carry severity and runbook; annotations add the
    target labels to the summary so Alertmanager shows which tenant/service is affected.
    """
    if not for_scale > 0:
        raise ValueError(f"for_scale must be a positive number, got {for_scale!r}")
    rules: list[dict[str, Any]] = []
    for rule in catalog.alerts:
        labels = {"severity": rule.severity}
        annotations = {
            "summary": rule.summary + _target_suffix(rule),
            "description": rule.description,
        }
        if rule.runbook:
            labels["runbook"] = rule.runbook
            annotations["runbook"] = rule.runbook
        rules.append(
            {
                "alert": rule.name,
                "expr": rule.expr,
                "for": _scaled_for(rule, for_scale, for_override),
                "labels": labels,
                "annotations": annotations,
            }
        )
    doc = {"groups": [{"name": catalog.group, "rules": rules}]}
    import yaml  # here only: the cockpit itself reads the catalog without PyYAML

    header = "# Generated by `cockpit rules` from the alert catalog; edit alerts.yaml instead.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=4096)


def rules_main(for_scale: float) -> int:
    """`cockpit rules`: print the rules generated from the packaged catalog."""
    try:
        text = generate_rules(load_catalog(), for_scale=for_scale)
    except (CatalogError, ValueError) as exc:
        sys.stderr.write(f"cockpit rules: {exc}\n")
        return 2
    sys.stdout.write(text)
    return 0
