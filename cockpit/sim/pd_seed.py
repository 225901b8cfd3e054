"""Seed data of the PagerDuty fake: users, the L1-L4 escalation policy, services, incidents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Escalation ladder of the seed platform; delays are minutes before the next level.
# L1 is a weekly rotation of two engineers (a schedule); the others are named people.
LEVEL_DELAYS_MIN = (15, 30, 30, 60)


@dataclass(frozen=True, slots=True)
class SeedUser:
    """A fictional person of the seed organisation."""

    id: str
    name: str
    email: str
    job_title: str
    level: int  # escalation level at which this person is paged


@dataclass(frozen=True, slots=True)
class SeedService:
    """A PagerDuty service and its Events API v2 integration."""

    id: str
    name: str
    description: str

    @property
    def routing_key(self) -> str:
        """The 32-character integration key that routes events to this service."""
        return hashlib.sha256(f"cockpit-fake/{self.name}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class SeedIncident:
    """An incident that already exists when the fake starts."""

    title: str
    service_id: str
    status: str
    urgency: str
    minutes_ago: int
    incident_key: str


USERS = (
    SeedUser("PU1NADIA", "Nadia Berrada", "nadia.berrada@kyc-platform.example", "SRE", 1),
    SeedUser(
        "PU1TOMAS", "Tomas Okafor", "tomas.okafor@kyc-platform.example", "Backend engineer", 1
    ),
    SeedUser("PU2HUGO0", "Hugo Marchal", "hugo.marchal@kyc-platform.example", "Tech lead", 2),
    SeedUser("PU3INES0", "Ines Carvalho", "ines.carvalho@kyc-platform.example", "CTO", 3),
    SeedUser("PU4MARC0", "Marc Delorme", "marc.delorme@kyc-platform.example", "CEO", 4),
    SeedUser(
        "PU4SOFIA",
        "Sofia Lindqvist",
        "sofia.lindqvist@kyc-platform.example",
        "Compliance officer",
        4,
    ),
)

POLICY_ID = "PEPKYC01"
POLICY_NAME = "KYC platform escalation"
SCHEDULE_ID = "PSL1ROTA"
SCHEDULE_NAME = "L1 on-call rotation (weekly)"

SERVICES = (
    SeedService("PSKYCAPI", "kyc-api", "Public KYC API and onboarding flows"),
    SeedService("PSOCR001", "ocr", "Document OCR and extraction"),
    SeedService("PSKAFKA1", "kafka-consumers", "Event consumers (kyc-consumer and friends)"),
    SeedService("PSPGSQL1", "postgres", "Primary PostgreSQL cluster"),
)

INCIDENTS = (
    SeedIncident(
        "Postgres connections above 85 % of max_connections",
        "PSPGSQL1",
        "resolved",
        "high",
        300,
        "pg-connections-high",
    ),
    SeedIncident(
        "Consumer lag above 1000 on kyc-consumer",
        "PSKAFKA1",
        "acknowledged",
        "high",
        40,
        "kafka-lag-kyc-consumer",
    ),
    SeedIncident(
        "OCR p95 latency above 5 s", "PSOCR001", "triggered", "high", 12, "ocr-latency-p95"
    ),
)


def users_at_level(level: int) -> tuple[SeedUser, ...]:
    """The people an escalation level targets (L1: both rotation members)."""
    return tuple(u for u in USERS if u.level == level)
