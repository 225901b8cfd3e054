"""The demo's simulated toolbox: `exec` steps answered from the simulated platform, never the host.

`cockpit demo` must touch nothing real. Its runbook steps still name real programs
(`kubectl`, `kafka-consumer-groups.sh`, `curl`); whatever PATH and KUBECONFIG say, the demo
hands those argv to `SimToolbox.run`, which answers from the demo's own Prometheus and
Kubernetes fake (the same state the dashboard shows) and refuses anything else with
"not available in the demo's simulated toolbox: <program>". No process is ever started and
`http` steps are never sent; `sql` steps run on the demo's embedded PostgreSQL when it is up
(`StepTargets.postgres_dsn`), and otherwise fail with NO_POSTGRES.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cockpit.clock import Clock, SystemClock
from cockpit.sim.toolbox_read import PlatformReader, PlatformUnavailable
from cockpit.sim.toolbox_tools import Reply, curl, kafka_tool, option, unavailable

NO_POSTGRES = (
    "no PostgreSQL in the demo (its embedded server is not running): SQL steps run on it, "
    "or in the live cockpit against the database of [postgres] dsn"
)
_KAFKA = {"kafka-consumer-groups", "kafka-topics"}
_POSTGRES = {"psql", "pg_dump", "pg_dumpall", "pg_restore", "pg_isready"}
_VALUE_FLAGS = {"-n", "--namespace", "--context", "--kubeconfig", "-c", "--container", "-o",
                "-l", "--selector", "--cluster", "--user", "-s", "--server"}  # fmt: skip


class SimToolbox:
    """Answers `exec` argv from the simulated platform (see the module docstring)."""

    def __init__(
        self,
        prometheus_url: str | None,
        k8s_url: str | None,
        *,
        clock: Clock | None = None,
        timeout_s: float = 5.0,
        namespace: str = "kyc",
    ) -> None:
        self.reader = PlatformReader(prometheus_url, k8s_url, timeout_s)
        self.clock = clock or SystemClock()
        self.namespace = namespace

    def run(self, argv: Sequence[str]) -> Reply:
        """Exit status and output for `argv`; 127 for what the toolbox does not know."""
        if not argv:
            return unavailable("(empty argv)")
        try:
            return self._run(list(argv))
        except PlatformUnavailable as exc:
            return 1, f"{_program(argv[0])}: {exc}"

    def request(self, method: str, url: str) -> Reply:
        """`http` steps are never sent from the demo: status 0 and the reason."""
        return 0, (
            f"not sent: the demo's simulated platform has no HTTP API for {method} {url}; "
            "http steps run only in the live cockpit"
        )

    def postgres_refusal(self) -> str:
        """The one line SQL steps fail with in the demo."""
        return NO_POSTGRES

    def _run(self, argv: list[str]) -> Reply:
        program = _program(argv[0])
        if program == "kubectl":
            return self._kubectl(argv)
        if program.removesuffix(".sh") == "kafka-log-dirs":
            return unavailable(program, "the demo does not model on-disk sizes")
        if program.removesuffix(".sh") in _KAFKA:
            return kafka_tool(program.removesuffix(".sh"), argv[1:], self.reader)
        if program == "curl":
            return curl(argv, self.reader, self.clock.now())
        if program in _POSTGRES:
            return unavailable(program, "no PostgreSQL in the demo")
        return unavailable(program)

    def _kubectl(self, argv: list[str]) -> Reply:
        namespace = option(argv, "-n", "--namespace") or self.namespace
        if "--" in argv:
            inner = argv[argv.index("--") + 1 :]
            words = _words(argv[1 : argv.index("--")])
            if words[:1] == ["exec"] and inner:
                return self._run(inner)
        words = _words(argv[1:])
        if words[:1] != ["get"] or len(words) < 2:
            return unavailable(f"kubectl {words[0] if words else ''}".strip(), _K8S_HINT)
        kind = words[1].split("/", 1)[0]
        selector = option(argv, "-l", "--selector")
        if kind in ("pods", "pod", "po"):
            return self._pods(namespace, selector)
        if kind in ("deployments", "deployment", "deploy"):
            return self._deployments(namespace, selector)
        return unavailable(f"kubectl get {kind}", _K8S_HINT)

    def _pods(self, namespace: str, selector: str | None) -> Reply:
        pods = self.reader.objects(f"/api/v1/namespaces/{namespace}/pods", selector)
        rows = [("NAME", "READY", "STATUS", "RESTARTS", "AGE")]
        for pod in sorted(pods, key=lambda p: str(p.get("metadata", {}).get("name", ""))):
            statuses = pod.get("status", {}).get("containerStatuses") or []
            ready = sum(1 for c in statuses if c.get("ready"))
            restarts = sum(int(c.get("restartCount", 0)) for c in statuses)
            waiting = next((c["state"]["waiting"].get("reason") for c in statuses
                            if c.get("state", {}).get("waiting")), None)  # fmt: skip
            status = waiting or str(pod.get("status", {}).get("phase", "Unknown"))
            rows.append((_name(pod), f"{ready}/{len(statuses)}", status, str(restarts),
                         self._age(pod)))  # fmt: skip
        return _table(rows, f"No resources found in {namespace} namespace.")

    def _deployments(self, namespace: str, selector: str | None) -> Reply:
        deps = self.reader.objects(f"/apis/apps/v1/namespaces/{namespace}/deployments", selector)
        rows = [("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE")]
        for dep in sorted(deps, key=_name):
            status, want = dep.get("status", {}), dep.get("spec", {}).get("replicas", 0)
            ready = f"{status.get('readyReplicas', 0)}/{want}"
            rows.append((_name(dep), ready, str(status.get("updatedReplicas", 0)),
                         str(status.get("availableReplicas", 0)), self._age(dep)))  # fmt: skip
        return _table(rows, f"No resources found in {namespace} namespace.")

    def _age(self, item: dict[str, Any]) -> str:
        created = str(item.get("metadata", {}).get("creationTimestamp", ""))
        try:
            seconds = (self.clock.now() - datetime.fromisoformat(created)).total_seconds()
        except ValueError:
            return "<unknown>"
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds >= size:
                return f"{int(seconds // size)}{unit}"
        return f"{max(0, int(seconds))}s"


_K8S_HINT = "the demo's cluster answers `kubectl get pods|deployments`; use k8s steps for more"


def _program(arg0: str) -> str:
    return posixpath.basename(arg0.strip()) or arg0


def _words(args: list[str]) -> list[str]:
    """Positional words of a kubectl command line (flags and their values dropped)."""
    words, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_FLAGS:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    return words


def _name(item: dict[str, Any]) -> str:
    return str(item.get("metadata", {}).get("name", "?"))


def _table(rows: Sequence[tuple[str, ...]], empty: str) -> Reply:
    if len(rows) == 1:
        return 0, empty
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return 0, "\n".join("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                        for r in rows)  # fmt: skip
