"""The workloads the Kubernetes fake starts with: the seed platform's services and consumers."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeploymentSeed:
    """One workload of the simulated platform."""

    name: str
    replicas: int
    image: str
    env: tuple[tuple[str, str], ...] = ()
    cpu_m: int = 120
    memory_mi: int = 256
    log_lines: tuple[str, ...] = ()
    previous_image: str | None = None
    """The image of the revision before this one (a ReplicaSet kept for rollbacks)."""


def _logs(service: str, *messages: str) -> tuple[str, ...]:
    return tuple(
        json.dumps({"level": level, "service": service, "msg": msg}, separators=(",", ":"))
        for level, _, msg in (m.partition(":") for m in messages)
    )


SEED_DEPLOYMENTS = (
    DeploymentSeed(
        "kyc-svc", 3, "registry.local/kyc-svc:2.14.0",
        previous_image="registry.local/kyc-svc:2.13.4",
        env=(("OCR_PRIMARY", "internal"), ("OCR_FALLBACK_ENABLED", "false")),
        cpu_m=250, memory_mi=512,
        log_lines=_logs("kyc-svc", "info:dossier accepted", "warn:ocr call slow (4.8 s)",
                        "info:dossier moved to ocr_pending", "error:ocr call timed out after 10 s",
                        "warn:HikariPool-1 - connection is not available, request timed out "
                        "after 30000ms"),
    ),
    DeploymentSeed(
        "aml-svc", 2, "registry.local/aml-svc:1.9.0", cpu_m=180, memory_mi=384,
        log_lines=_logs("aml-svc", "info:screening batch done", "info:sanctions list fresh"),
    ),
    DeploymentSeed(
        "tcr-svc", 2, "registry.local/tcr-svc:1.3.2", cpu_m=90, memory_mi=256,
        log_lines=_logs("tcr-svc", "info:report rendered", "info:report stored"),
    ),
    DeploymentSeed(
        "ocr-svc", 2, "registry.local/ocr-svc:3.2.0", previous_image="registry.local/ocr-svc:3.1.2",
        env=(("TENANT_RATE_LIMIT_DEFAULT", "200"),), cpu_m=900, memory_mi=1536,
        log_lines=_logs("ocr-svc", "warn:gpu queue depth 48", "error:inference timeout on page 2",
                        "warn:p95 latency 6.1 s", "info:model warm"),
    ),
    DeploymentSeed(
        "liveness-svc", 2, "registry.local/liveness-svc:1.1.4", cpu_m=220, memory_mi=640,
        log_lines=_logs("liveness-svc", "info:selfie check passed", "info:passive check used"),
    ),
    DeploymentSeed(
        "connector-rne", 1, "registry.local/connector-rne:0.8.3", cpu_m=40, memory_mi=128,
        log_lines=_logs("connector-rne", "info:registry lookup ok", "warn:registry quota at 91 %"),
    ),
    DeploymentSeed(
        "kyc-consumer", 3, "registry.local/kyc-consumer:2.14.1", cpu_m=150, memory_mi=320,
        log_lines=_logs("kyc-consumer", "info:batch committed",
                        "warn:consumer lag 1450 on partition 3"),
    ),
)  # fmt: skip
