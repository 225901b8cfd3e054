"""Leak guard for public status text: tenant ids, hostnames, IPs and internal service names."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cockpit.domain.state import IncidentState

TENANT_LABELS = ("tenant", "tenant_id", "customer")
HOST_LABELS = ("instance", "host", "hostname", "node", "pod")
SERVICE_LABELS = ("service", "job", "app", "deployment", "namespace", "consumergroup", "topic")

_HOST = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}\b", re.I)
_IP_TOKEN = re.compile(r"[0-9a-fA-F:.]{3,}")
_PUBLIC_SUFFIX_WORDS = frozenset({"e.g", "i.e", "etc"})


@dataclass(frozen=True, slots=True)
class Leak:
    """A piece of text that should not reach a public page."""

    kind: str
    """tenant, hostname, ip or service."""
    value: str


@dataclass(frozen=True, slots=True)
class KnownTerms:
    """Names the cockpit knows to be internal; matched as whole words, case-insensitively."""

    tenants: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


def known_terms(state: IncidentState, extra: Iterable[str] = ()) -> KnownTerms:
    """Internal names seen in the state: incident fields, alert labels, tenant rows, sources."""
    tenants: set[str] = set()
    hosts: set[str] = set()
    services: set[str] = set(extra) | set(state.sources)
    if state.incident is not None:
        tenants |= set(state.incident.tenants)
        services |= set(state.incident.services)
    for row in state.iter_tenants():
        tenants.add(str(row.get("tenant") or row.get("key") or ""))
    for rec in state.iter_alerts():
        labels = rec.item.get("labels")
        if not isinstance(labels, dict):
            continue
        for names, bucket in ((TENANT_LABELS, tenants), (HOST_LABELS, hosts)):
            bucket.update(str(labels[n]) for n in names if labels.get(n))
        services.update(str(labels[n]) for n in SERVICE_LABELS if labels.get(n))
    # Very short words ("db", "ui") would flag ordinary prose; they are left to the eye.
    return KnownTerms(_keep(tenants), _keep(hosts), _keep(services))


def find_leaks(text: str, terms: KnownTerms) -> list[Leak]:
    """Every internal detail found in `text`, each reported once, in a stable order."""
    found: dict[tuple[str, str], None] = {}
    for kind, values in (("tenant", terms.tenants), ("hostname", terms.hosts),
                         ("service", terms.services)):  # fmt: skip
        for value in sorted(values):
            if _word(value).search(text):
                found[(kind, value)] = None
    for token in _IP_TOKEN.findall(text):
        candidate = token.strip(".:")
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            continue
        found[("ip", candidate)] = None
    for match in _HOST.finditer(text):
        name = match.group(0)
        if name.lower() in _PUBLIC_SUFFIX_WORDS or _is_number(name):
            continue
        if not any(value == name for (_kind, value) in found):
            found[("hostname", name)] = None
    return [Leak(kind, value) for kind, value in found]


def describe(leaks: list[Leak]) -> str:
    """One line naming what was found, for the warning above the publish button."""
    parts = [f"{leak.kind} {leak.value!r}" for leak in leaks]
    return "Internal details in the text: " + ", ".join(parts) + ". Remove them before publishing."


def _keep(values: set[str]) -> frozenset[str]:
    return frozenset(v for v in values if len(v.strip()) >= 3)


def _word(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-]){re.escape(value)}(?![\w-])", re.I)


def _is_number(text: str) -> bool:
    return all(part.isdigit() for part in text.split("."))
