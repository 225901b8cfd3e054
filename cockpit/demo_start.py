"""`cockpit demo`'s startup: the simulated platform behind the live session (imports cockpit.sim).

Kept apart from `cockpit.startup` so that the live path never imports the simulated platform
(import-linter checks it): the platform and its fakes are imported after the first frame, when
the session plans its sources.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cockpit.permissions import Mode, Permissions
from cockpit.startup import Plan, Startup

if TYPE_CHECKING:
    from cockpit.clock import Clock
    from cockpit.log.store import IncidentLog
    from cockpit.runbook.exec.base import StepTargets
    from cockpit.sim.demo import DemoPlatform

DEMO_ENVIRONMENT = "demo"
DEMO_CONTEXT = "simulated platform"
SIMULATED = "simulated toolbox"


def demo(incident_log: IncidentLog, clock: Clock, *, read_only: bool, speed: float) -> Startup:
    """The live session on the simulated platform, started with the session (after the frame)."""
    from cockpit.session import LiveSession
    from cockpit.wiring import DEMO_INTERVAL_S

    platforms: list[DemoPlatform] = []

    def planner() -> Plan:
        platform = start_platform(clock, speed)
        platforms.append(platform)
        return demo_plan(platform)

    def stop_platform() -> None:
        for platform in platforms:
            platform.stop()

    def targets() -> StepTargets | None:
        for platform in platforms:
            return demo_targets(platform.prometheus_url, platform.k8s_url, os.environ)
        return None

    permissions = Permissions.decide(Mode.DEMO, read_only=read_only, environment="demo")
    session = LiveSession(incident_log, planner, clock, mode="DEMO", on_stop=stop_platform)
    return Startup(
        session=session,
        permissions=permissions,
        mode="DEMO",
        environment=DEMO_ENVIRONMENT,
        context=DEMO_CONTEXT,
        refresh_s=DEMO_INTERVAL_S,
        targets=targets,
    )


def start_platform(clock: Clock, speed: float) -> DemoPlatform:
    """The simulated platform's servers on loopback, running."""
    from cockpit.sim.demo import DemoPlatform

    return DemoPlatform(clock, speed=speed, with_k8s=True).start()


def demo_plan(platform: DemoPlatform) -> Plan:
    """The sources polling the platform, and their `sources.configured` event."""
    from cockpit.log.events import SourcesConfigured
    from cockpit.wiring import PlannedSource, demo_sources

    planned: Sequence[PlannedSource] = demo_sources(
        platform.prometheus_url, platform.alertmanager_url
    )
    configured = SourcesConfigured(
        sources=tuple(
            {"name": p.source.name, "kind": p.source.kind, "interval_s": p.interval_s}
            for p in planned
        ),
        environment=DEMO_ENVIRONMENT,
    )
    return planned, configured


def demo_targets(
    prometheus_url: str, k8s_url: str | None, environ: Mapping[str, str]
) -> StepTargets:
    """Targets on the demo platform: its Prometheus, its Kubernetes fake when running, and
    the simulated toolbox for exec/http/sql (no host program, database or API is reached)."""
    from cockpit.clients.kubernetes import make_k8s_client
    from cockpit.runbook.exec.base import StepTargets, Where
    from cockpit.sim.toolbox import SimToolbox

    factory: Callable[[], Any] | None = None
    if k8s_url is not None:
        url = k8s_url
        factory = lambda: make_k8s_client(url)  # noqa: E731
    toolbox = SimToolbox(prometheus_url, k8s_url)
    where = Where(DEMO_ENVIRONMENT, False, DEMO_CONTEXT, exec_host=SIMULATED)
    return StepTargets(
        prometheus_url=prometheus_url,
        k8s_client=factory,
        environ=dict(environ),
        toolbox=toolbox,
        where=where,
    )
