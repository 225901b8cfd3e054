"""Severity schemes: SEV-1..SEV-4 (default) and P0..P3, with response SLAs and who is told."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain.severity import normalise_severity, severity_rank

HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class Level:
    """One severity level: how fast someone must respond and who hears of it at once."""

    label: str
    meaning: str
    response_s: float
    """Seconds to acknowledge (of business time when `business_days` is set)."""
    business_days: int = 0
    """When > 0 the SLA is this many business days on the calendar, not wall-clock time."""
    notify_at_once: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scheme:
    """An ordered severity scale, worst level first."""

    name: str
    levels: tuple[Level, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels, worst first."""
        return tuple(level.label for level in self.levels)

    def level(self, label: str) -> Level | None:
        """The level called `label` (spelling normalised), or None."""
        canonical = normalise_severity(label)
        return next((lv for lv in self.levels if lv.label == canonical), None)

    def validate(self, label: object) -> str:
        """The canonical label, or ValueError naming the scheme's labels."""
        found = self.level(label) if isinstance(label, str) else None
        if found is None:
            allowed = ", ".join(self.labels)
            raise ValueError(
                f"severity {label!r} is not in the {self.name!r} scheme: use {allowed}"
            )
        return found.label

    def translate(self, label: str | None) -> str | None:
        """The level of equal rank in this scheme (a catalog SEV-2 reads as P1), or None."""
        rank = severity_rank(label)
        return self.levels[rank].label if rank < len(self.levels) else None


SEV = Scheme(
    "sev",
    (
        Level("SEV-1", "service unreachable for 10 % of tenants or more, confirmed data loss, "
              "or a security breach in progress", 300,
              notify_at_once=("CTO", "CEO", "Compliance officer")),
        Level("SEV-2", "a critical function degraded (no KYC, AML or TCR check possible), or "
              "the SLO breached more than twice over", 900,
              notify_at_once=("Tech Lead", "CTO")),
        Level("SEV-3", "partly degraded, and a workaround exists", HOUR_S,
              notify_at_once=("Tech Lead",)),
        Level("SEV-4", "minor impact; the fix can wait for a planned slot", 24 * HOUR_S,
              business_days=1),
    ),
)  # fmt: skip
"""The first seed's scale (the default)."""

P = Scheme(
    "p",
    (
        Level("P0", "down for every user: e.g. the API is down, data is corrupted, or a "
              "breach", 900, notify_at_once=("Lead Engineer", "CTO")),
        Level("P1", "a major function is down: e.g. nobody can log in, payments are stuck",
              HOUR_S, notify_at_once=("SRE on call",)),
        Level("P2", "performance is degraded: e.g. high latency, bugs that block nobody",
              4 * HOUR_S, notify_at_once=("the development team",)),
        Level("P3", "a minor problem: e.g. a typo, a display glitch", 24 * HOUR_S,
              notify_at_once=("the development team",)),
    ),
)  # fmt: skip
"""The second seed's scale (`severity_scheme = "p"`)."""


def response_text(level: Level) -> str:
    """The response SLA in words: `5 min`, `1 h`, `1 business day`."""
    if level.business_days:
        days = level.business_days
        return f"{days} business day" + ("s" if days > 1 else "")
    if level.response_s < HOUR_S:
        return f"{level.response_s / 60:g} min"
    return f"{level.response_s / HOUR_S:g} h"


def alerted_text(level: Level) -> str:
    """Who is alerted at once, in words (`nobody at once` when the level names nobody)."""
    return ", ".join(level.notify_at_once) or "nobody at once (handled in working hours)"


def matrix(scheme: Scheme) -> tuple[tuple[str, str, str, str], ...]:
    """The severity matrix: (label, definition, response SLA, alerted at once) per level."""
    return tuple(
        (lv.label, lv.meaning, response_text(lv), alerted_text(lv)) for lv in scheme.levels
    )


SCHEMES = {SEV.name: SEV, P.name: P}


def scheme_named(name: str) -> Scheme:
    """The scheme called `name` ("sev" or "p"); ValueError otherwise."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError(f"unknown severity scheme {name!r}: use 'sev' or 'p'") from None


def scheme_of(label: str) -> Scheme:
    """The scheme a label belongs to (P-labels to P, everything else to SEV)."""
    return P if P.level(label) is not None else SEV
