"""What `cockpit demo` runs besides the app: platform, embedded PostgreSQL, PagerDuty, Slack
and GitHub fakes, config.

From a config file the demo takes only the severity scheme, the environment's marking
(name, production, read-only), the operator's role and name, and `log_dir`: it never
reaches a cluster, database or PagerDuty the config names. Everything here is stopped by
`stop()`, which the session's stop, the exit guard's last resort and atexit all call.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.clock import Clock
from cockpit.log.events import SourcesConfigured
from cockpit.permissions import Mode, Permissions
from cockpit.settings.secrets import Secret
from cockpit.wiring import DEMO_INTERVAL_S, PlannedSource, demo_sources

if TYPE_CHECKING:
    from cockpit.app import AppOptions
    from cockpit.command.pagerduty import PdConfig
    from cockpit.config import Settings
    from cockpit.outbox.core import Outbox
    from cockpit.runbook.exec.base import StepTargets
    from cockpit.sim.demo import DemoPlatform
    from cockpit.sim.demo_pg import DemoDatabase
    from cockpit.sim.github_fake import GitHubFake
    from cockpit.sim.pagerduty_fake import PagerDutyFake
    from cockpit.sim.slack_fake import SlackFake

DEMO_ENVIRONMENT = "demo"
DEMO_CONTEXT = "simulated platform"
SIMULATED = "simulated toolbox"
DEMO_DATABASE_HOST = "the demo's embedded PostgreSQL (local socket)"
DEMO_GRAFANA = (
    "https://grafana.demo.invalid",
    "/d/kyc-platform/kyc-platform?var-service={service}&from={from}&to={to}",
    '/explore?schemaVersion=1&panes={"demo":{"datasource":"prometheus","queries":'
    '[{"refId":"A","expr":{expr_json}}],"range":{"from":"{from}","to":"{to}"}}}',
)
"""The demo's Grafana link templates (an .invalid host: the links show their form, no more)
when the config given has no [grafana] templates."""
PD_SERVICE = "PSPGSQL1"
"""The seeded PagerDuty service the demo's incidents are raised on (PostgreSQL)."""


def demo_settings(
    config: str | None, env: str | None, environ: Mapping[str, str]
) -> Settings | None:
    """The settings named by --config/--env (ConfigError when bad); None when neither."""
    if config is None and env is None:
        return None
    from cockpit.config import load_settings

    return load_settings(config, env_name=env, environ=environ)


class DemoSetup:
    """The demo's loopback world for one run (see the module docstring)."""

    def __init__(
        self,
        settings: Settings | None,
        clock: Clock,
        *,
        speed: float = 1.0,
        read_only: bool = False,
        with_postgres: bool = True,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.speed = speed
        self.read_only = read_only
        self.with_postgres = with_postgres
        self.platform: DemoPlatform | None = None
        self.database: DemoDatabase | None = None
        self.pagerduty: PagerDutyFake | None = None
        self.slack: SlackFake | None = None
        self.github: GitHubFake | None = None
        self._pd_config: PdConfig | None = None
        self._pd_thread = threading.Thread(target=self._start_pd, name="demo-pd", daemon=True)
        self._pd_thread.start()  # the TLS material takes a few hundred ms: in parallel
        self._stopped = False
        self._done = threading.Event()
        self._lock = threading.Lock()
        atexit.register(self.stop)
        from cockpit.hangup import GUARD

        GUARD.cleanup_with(lambda: self.stop(wait_s=0.3))  # the exit deadline is near

    def _start_pd(self) -> None:
        from cockpit.command.pagerduty import PdConfig
        from cockpit.sim import pd_seed
        from cockpit.sim.pagerduty_fake import PagerDutyFake

        fake = PagerDutyFake(clock=self.clock)
        fake.start()
        with self._lock:
            if self._stopped:
                fake.stop()
                return
            self.pagerduty = fake
        l1 = pd_seed.users_at_level(1)[0]
        self._pd_config = PdConfig(
            api_url=fake.url, token=Secret(fake.token), events_url=fake.events_url,
            routing_key=Secret(fake.routing_key("postgres")), from_email=l1.email,
            service_ids=(PD_SERVICE,), escalation_policy_id=pd_seed.POLICY_ID,
            timeout_s=3.0, verify=fake.client_ssl_context(),
        )  # fmt: skip

    def outbox(self, author: str) -> Outbox:
        """Slack and GitHub Issues on loopback fakes: declaring opens a channel and a ticket
        (the author is a Slack member of the fake workspace, invited to the channel)."""
        from cockpit.clients.github import make_github_client
        from cockpit.clients.slack import make_slack_client
        from cockpit.outbox.book import OutboxBook
        from cockpit.outbox.core import Outbox
        from cockpit.outbox.delivery import GITHUB, SLACK
        from cockpit.outbox.lane import Poster
        from cockpit.outbox.mapping import Targets
        from cockpit.outbox.post_github import GitHubPoster
        from cockpit.outbox.post_slack import SlackPoster
        from cockpit.sim.github_fake import GitHubFake
        from cockpit.sim.slack_fake import SlackFake

        slack, github = SlackFake(), GitHubFake(repository="demo/incidents")
        slack.start()
        github.start()
        with self._lock:
            self.slack, self.github = slack, github
        book = OutboxBook(author, Targets(slack=True, github=True, labels=("demo",)))
        posters: dict[str, Poster] = {
            SLACK: SlackPoster(lambda: make_slack_client(slack.api_url, slack.token, timeout=3.0),
                               incidents_channel="incidents", people={author: "U0DEMO001"}),
            GITHUB: GitHubPoster(lambda: make_github_client(github.url, github.token, timeout=3.0),
                                 github.repository, book.ticket),
        }  # fmt: skip
        return Outbox(book, self.permissions(), posters)

    def log_dir(self) -> Path:
        """The configured log directory, or the default one."""
        if self.settings is not None:
            return self.settings.incident.log_dir
        from cockpit.paths import default_log_dir

        return default_log_dir()

    def permissions(self) -> Permissions:
        """The demo's decision, with the configured environment's marking and role."""
        if self.settings is None:
            return Permissions.decide(Mode.DEMO, read_only=self.read_only, environment="demo")
        active = self.settings.active
        return Permissions.decide(
            Mode.DEMO,
            read_only=self.read_only,
            environment=active.name,
            environment_read_only=active.read_only,
            production=active.production,
            role=self.settings.config.user.role,
        )

    def app_options(self) -> AppOptions:
        """Header, permissions and command wiring (waits for the PagerDuty fake)."""
        from cockpit.app import AppOptions, default_author
        from cockpit.command.options import CommandOptions
        from cockpit.domain.thresholds import Thresholds
        from cockpit.screens.header import HeaderInfo
        from cockpit.sim.demo_pg import IDLE_IN_TRANSACTION_S

        self._pd_thread.join(10.0)
        permissions = self.permissions()
        name, production = "demo", False
        author = default_author()
        command = CommandOptions(pagerduty=self._pd_config)
        if self.settings is not None:
            from cockpit.command.setup import policy_from_settings

            active = self.settings.active
            name, production = active.name, active.production
            command = CommandOptions(
                policy=policy_from_settings(self.settings),
                pagerduty=self._pd_config,
                leak_terms=tuple(self.settings.incident.leak_terms),
            )
            author = self.settings.author
        header = HeaderInfo("DEMO", name, production, permissions.read_only, DEMO_CONTEXT)
        from cockpit.grafana import GrafanaTemplates

        grafana = GrafanaTemplates(*DEMO_GRAFANA)
        if self.settings is not None and self.settings.grafana.templates().configured:
            grafana = self.settings.grafana.templates()
        return AppOptions(
            header=header, permissions=permissions, refresh_s=DEMO_INTERVAL_S,
            targets=self.targets, command=command, author=author,
            thresholds=Thresholds(idle_in_tx_age_s=IDLE_IN_TRANSACTION_S), grafana=grafana,
        )  # fmt: skip

    def planner(self) -> tuple[Sequence[PlannedSource], SourcesConfigured]:
        """Start the platform (after the first frame) and plan the demo's sources."""
        from cockpit.sim.demo import DemoPlatform

        platform = DemoPlatform(self.clock, speed=self.speed, with_k8s=True).start()
        self.platform = platform
        planned = demo_sources(platform.prometheus_url, platform.alertmanager_url)
        if self.with_postgres:
            planned = self._with_database(platform, planned)
        configured = SourcesConfigured(
            sources=tuple(
                {"name": p.source.name, "kind": p.source.kind, "interval_s": p.interval_s}
                for p in planned
            ),
            environment=self.permissions().environment or "demo",
        )
        return planned, configured

    def _with_database(
        self, platform: DemoPlatform, planned: list[PlannedSource]
    ) -> list[PlannedSource]:
        """The embedded server replaces the exporter fallback (kept when it cannot run)."""
        from cockpit.sim.demo_pg import DemoDatabase, available

        if available():
            return planned
        with self._lock:
            if self._stopped:
                return planned
            self.database = DemoDatabase().start(platform)
        source = self.database.source()
        from cockpit.sources.pg_exporter import ExporterConnections

        kept = [p for p in planned if not isinstance(p.source, ExporterConnections)]
        return [*kept, PlannedSource(source, DEMO_INTERVAL_S)]

    def targets(self) -> StepTargets | None:
        """Where the demo's steps run (None until the platform has started)."""
        platform, database = self.platform, self.database
        if platform is None:
            return None
        dsn = database.dsn("kyc") if database is not None and database.server.base else None
        return demo_targets(platform.prometheus_url, platform.k8s_url, os.environ, dsn,
                            alertmanager_url=platform.alertmanager_url,
                            loki_url=platform.loki_url,
                            argocd_url=platform.argocd_url)  # fmt: skip

    def stop(self, wait_s: float = 3.0) -> None:
        """Stop the database, the platform and the PagerDuty fake (idempotent)."""
        with self._lock:
            if self._stopped:  # another thread is stopping: give it a moment to finish
                busy = True
            else:
                busy, self._stopped = False, True
            database, self.database = self.database, None
            platform, pagerduty = self.platform, self.pagerduty
            self.pagerduty = None
            chat, tickets = self.slack, self.github
            self.slack = self.github = None
        if busy:
            self._done.wait(wait_s)
            return
        if database is not None:
            database.stop(wait_s)
        if platform is not None:
            platform.stop()
        if pagerduty is not None:
            pagerduty.stop()
        for fake in (chat, tickets):
            if fake is not None:
                fake.stop()
        self._done.set()


def demo_targets(
    prometheus_url: str,
    k8s_url: str | None,
    environ: Mapping[str, str],
    postgres_dsn: str | None = None,
    *,
    alertmanager_url: str | None = None,
    loki_url: str | None = None,
    argocd_url: str | None = None,
) -> StepTargets:
    """Targets on the demo platform: its Prometheus, Alertmanager and Loki, its Kubernetes
    fake when running, its embedded PostgreSQL when given (`sql` steps, diagnostics and
    mitigations alike, named in confirmations), and the simulated toolbox for exec/http
    (no host program, outside database or API is reached). With `argocd_url`, `argocd`
    steps go to the Argo CD fake, which manages kyc-svc and aml-svc (so a rollout undo of
    those is refused, as in an Argo-managed cluster)."""
    from cockpit.actions.step_where import database
    from cockpit.clients.kubernetes import make_k8s_client
    from cockpit.runbook.exec.base import StepTargets, Where
    from cockpit.sim.toolbox import SimToolbox

    factory: Callable[[], Any] | None = None
    if k8s_url is not None:
        url = k8s_url
        factory = lambda: make_k8s_client(url)  # noqa: E731
    toolbox = SimToolbox(prometheus_url, k8s_url)
    where = Where(DEMO_ENVIRONMENT, False, DEMO_CONTEXT, exec_host=SIMULATED)
    if postgres_dsn is not None:
        where = replace(where, db_host=DEMO_DATABASE_HOST, db_name=database(postgres_dsn)[1])
    argo = None
    if argocd_url is not None:
        from cockpit.runbook.argo import ArgoTarget
        from cockpit.sim.argocd_fake import DEMO_APPLICATIONS, DEMO_TOKEN

        argo = ArgoTarget(argocd_url, Secret(DEMO_TOKEN), 3.0, True, DEMO_APPLICATIONS)
    return StepTargets(
        argocd=argo,
        prometheus_url=prometheus_url,
        alertmanager_url=alertmanager_url,
        loki_url=loki_url,
        postgres_dsn=postgres_dsn,
        postgres_mitigation_dsn=postgres_dsn,
        k8s_client=factory,
        environ=dict(environ),
        toolbox=toolbox,
        where=where,
    )
