"""DemoPlatform: the scripted seed platform served on loopback for `cockpit demo` and tests."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from cockpit.clock import Clock
from cockpit.sim.alerting import AlertEngine, DemoAlert
from cockpit.sim.platform import Memo, Platform
from cockpit.sim.scenario import Scenario

LEAKY_SERVICE, LEAKY_IMAGE = "kyc-svc", "registry.local/kyc-svc:2.14.0"
"""The release that leaves its transactions open (the demo's incident)."""

if TYPE_CHECKING:
    from cockpit.runbook.catalog import Catalog
    from cockpit.sim.argocd_fake import ArgoCdFake
    from cockpit.sim.demo_am import AlertmanagerDemo
    from cockpit.sim.demo_api import PrometheusDemo
    from cockpit.sim.k8s_fake import K8sFake
    from cockpit.sim.loki_fake import LokiFake
    from cockpit.sim.metrics import Store
    from cockpit.sim.pagerduty_fake import PagerDutyFake


class DemoPlatform:
    """A Prometheus and an Alertmanager on 127.0.0.1 (free ports) telling one scripted incident.

    Time comes from `clock`: scenario seconds = wall seconds since start() x `speed`, so a
    FrozenClock moved to start + 150 s shows the incident at t=150. Optional Kubernetes and
    PagerDuty fakes start with it (off by default: PagerDuty's TLS setup costs start-up time).
    """

    def __init__(
        self,
        clock: Clock,
        speed: float = 1.0,
        seed: int = 7,
        *,
        loop: bool = False,
        pause_s: float = 60.0,
        for_scale: float = 0.05,
        with_k8s: bool = False,
        with_pagerduty: bool = False,
        catalog: Callable[[], Catalog] | None = None,
    ) -> None:
        if not 0 < speed <= 1000:
            raise ValueError(f"speed must be in (0, 1000], got {speed!r}")
        self.clock = clock
        self.speed = speed
        self.scenario = Scenario(loop=loop, pause_s=pause_s, for_scale=for_scale)
        self.platform = Platform(seed, self.scenario)
        self.alerts = AlertEngine(self.platform, catalog)
        self.with_k8s = with_k8s
        self.with_pagerduty = with_pagerduty
        self.prometheus: PrometheusDemo | None = None
        self.alertmanager: AlertmanagerDemo | None = None
        self.k8s: K8sFake | None = None
        self.loki: LokiFake | None = None
        self.argocd: ArgoCdFake | None = None
        self.pagerduty: PagerDutyFake | None = None
        self._started_at: datetime | None = None
        self._stores = Memo(size=64)
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> DemoPlatform:
        """Mark t=0 and serve; idempotent. Returns self."""
        from cockpit.sim.demo_am import AlertmanagerDemo
        from cockpit.sim.demo_api import PrometheusDemo

        with self._lock:
            if self.prometheus is not None:
                return self
            self._started_at = self.clock.now()
            self.prometheus = PrometheusDemo(self, self.alerts)
            self.prometheus.start()
            self.alertmanager = AlertmanagerDemo(self, self.alerts, self.prometheus.url)
            self.alertmanager.start()
            if self.with_k8s:
                from cockpit.sim.k8s_fake import K8sFake
                from cockpit.sim.loki_fake import LokiFake, cluster_source

                self.k8s = K8sFake(clock=self.clock)
                self.k8s.cluster.on_rollout = self._rolled_out
                self.k8s.start()
                # The simulated services' logs, as Loki would hold them.
                self.loki = LokiFake(clock=self.clock, source=cluster_source(self.k8s.cluster))
                self.loki.start()
                self.argocd = _argocd(self.clock, self.k8s)
            if self.with_pagerduty:
                from cockpit.sim.pagerduty_fake import PagerDutyFake

                self.pagerduty = PagerDutyFake(clock=self.clock)
                self.pagerduty.start()
        return self

    def stop(self) -> None:
        """Stop every server (idempotent)."""
        with self._lock:
            servers = (self.prometheus, self.alertmanager, self.k8s, self.loki, self.argocd,
                       self.pagerduty)  # fmt: skip
            self.prometheus = self.alertmanager = self.k8s = self.loki = self.pagerduty = None
            self.argocd = None
        for server in servers:
            if server is not None:
                server.stop()

    def _rolled_out(self, namespace: str, name: str, template: object) -> None:
        """kyc-svc rolled off the leaky release (RB-004's rollback): the leak stops here."""
        images = str(template)
        if name == LEAKY_SERVICE and LEAKY_IMAGE not in images:
            self.platform.cut_leak(self.elapsed())

    def __enter__(self) -> DemoPlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- URLs ------------------------------------------------------------------------------
    @property
    def prometheus_url(self) -> str:
        """Base URL of the demo Prometheus (after start)."""
        return _running(self.prometheus, "Prometheus").url

    @property
    def alertmanager_url(self) -> str:
        """Base URL of the demo Alertmanager (after start)."""
        return _running(self.alertmanager, "Alertmanager").url

    @property
    def k8s_url(self) -> str:
        """Base URL of the Kubernetes fake (start with with_k8s=True)."""
        return _running(self.k8s, "Kubernetes fake (with_k8s=True)").url

    @property
    def loki_url(self) -> str:
        """Base URL of the Loki fake serving the services' logs (start with with_k8s=True)."""
        return _running(self.loki, "Loki fake (with_k8s=True)").url

    @property
    def argocd_url(self) -> str:
        """Base URL of the Argo CD fake deploying kyc-svc and aml-svc (with_k8s=True)."""
        return _running(self.argocd, "Argo CD fake (with_k8s=True)").url

    @property
    def pagerduty_url(self) -> str:
        """Base URL of the PagerDuty fake (start with with_pagerduty=True)."""
        return _running(self.pagerduty, "PagerDuty fake (with_pagerduty=True)").url

    # -- time ------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Current wall time from the injected clock."""
        return self.clock.now()

    def elapsed(self) -> float:
        """Scenario seconds since start() (0 before it)."""
        return 0.0 if self._started_at is None else self.scenario_time(self.clock.now())

    def scenario_time(self, when: datetime) -> float:
        """Scenario seconds at wall time `when` (negative before start)."""
        origin = self._started_at or self.clock.now()
        return (when - origin).total_seconds() * self.speed

    def wall_time(self, scenario_s: float) -> datetime:
        """Wall time of a scenario instant."""
        origin = self._started_at or self.clock.now()
        return origin + timedelta(seconds=scenario_s / self.speed)

    # -- model -----------------------------------------------------------------------------
    def store(self, scenario_s: float) -> Store:
        """Every series at scenario time `scenario_s` (shared by concurrent queries)."""
        # Every figure moves on whole seconds, so one store serves a whole second.
        from cockpit.sim.metrics import series_at

        second = float(math.floor(scenario_s))
        key = (second, self.platform.leak_cut_at)  # a kill changes the figures from then on
        return self._stores.get(key, lambda: series_at(self.platform, second))

    def alerts_at(self, scenario_s: float) -> list[DemoAlert]:
        """Pending and firing alerts at a scenario time."""
        return self.alerts.evaluate(scenario_s)

    def beat(self) -> str:
        """One line saying where the scripted incident stands now."""
        return self.scenario.beat(self.elapsed())


S = TypeVar("S")


def _argocd(clock: Clock, k8s: K8sFake) -> ArgoCdFake:
    """The Argo CD fake, seeded; what it deploys rolls out in the Kubernetes fake."""
    from cockpit.sim.argocd_fake import ArgoCdFake, reflect_in_cluster, seed_demo

    fake = ArgoCdFake(clock=clock)
    seed_demo(fake.state)
    fake.state.on_deploy = reflect_in_cluster(k8s.cluster)
    fake.start()
    return fake


def _running(server: S | None, what: str) -> S:
    if server is None:
        raise RuntimeError(f"the demo {what} is not running: call DemoPlatform.start() first")
    return server
