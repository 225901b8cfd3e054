"""The demo's simulated toolbox answers from the simulated platform and refuses the rest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cockpit.clock import FrozenClock
from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.exec.local import run_exec
from cockpit.runbook.exec.stream import OutputStream
from cockpit.sim.demo import DemoPlatform
from cockpit.sim.toolbox import NO_POSTGRES, SimToolbox

START = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[DemoPlatform, FrozenClock]]:
    clock = FrozenClock(START)
    platform = DemoPlatform(clock, with_k8s=True).start()
    clock.advance(600)  # mid-incident: the kyc-consumer lag is climbing
    yield platform, clock
    platform.stop()


@pytest.fixture
def toolbox(demo: tuple[DemoPlatform, FrozenClock]) -> SimToolbox:
    platform, clock = demo
    return SimToolbox(platform.prometheus_url, platform.k8s_url, clock=clock)


def test_group_describe_shows_the_demo_lag(demo, toolbox: SimToolbox) -> None:
    platform, _clock = demo
    code, text = toolbox.run(["kubectl", "exec", "-n", "kyc", "kafka-0", "--",
                              "kafka-consumer-groups.sh", "--describe", "--group",
                              "kyc-consumer", "--bootstrap-server", "localhost:9092"])  # fmt: skip
    assert code == 0
    lags = platform.platform.lags(platform.elapsed())
    mine = {(t, p): lag for (g, t, p), lag in lags.items() if g == "kyc-consumer"}
    rows = [line.split() for line in text.splitlines() if line.startswith("kyc-consumer ")]
    assert {(r[1], r[2]): int(r[5]) for r in rows} == mine
    assert f"total lag: {sum(mine.values())}" in text
    missing = toolbox.run(["kafka-consumer-groups", "--describe", "--group", "nobody"])
    assert missing == (1, "Error: Consumer group 'nobody' does not exist.")


def test_kubectl_get_pods_lists_the_simulated_pods(demo, toolbox: SimToolbox) -> None:
    platform, _clock = demo
    assert platform.k8s is not None
    code, text = toolbox.run(["/usr/local/bin/kubectl", "get", "pods", "-n", "kyc"])
    names = {line.split()[0] for line in text.splitlines()[1:]}
    with platform.k8s.cluster.lock:
        expected = {name for (ns, name) in platform.k8s.cluster.pods if ns == "kyc"}
    assert code == 0 and text.startswith("NAME") and names == expected


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["psql", "-c", "select 1"], "psql (no PostgreSQL in the demo)"),
        (["bash", "-c", "rm -rf /"], "bash"),
        (["kubectl", "delete", "pod", "x"], "kubectl delete"),
        (["kubectl", "exec", "kafka-0", "--", "sh", "-c", "x"], "sh"),
        (
            ["kafka-topics.sh", "--alter", "--topic", "t", "--partitions", "9"],
            "kafka-topics --alter",
        ),
    ],
)
def test_anything_else_is_not_available(toolbox: SimToolbox, argv: list[str], what: str) -> None:
    code, text = toolbox.run(argv)
    assert code == 127
    assert text.startswith(f"not available in the demo's simulated toolbox: {what}")


def test_exec_dispatch_uses_the_toolbox_and_never_a_process(toolbox: SimToolbox) -> None:
    targets = StepTargets(toolbox=toolbox)
    stream = OutputStream()
    # A program that surely exists on the host: with a toolbox it is still not started.
    result = run_exec(("python3", "-c", "print('host')"), targets, 5.0, stream)
    assert result.outcome == "failed" and "host" not in result.text
    assert "not available in the demo's simulated toolbox: python3" in result.summary
    assert stream.tail(1) == [result.text]
    assert toolbox.postgres_refusal() == NO_POSTGRES
    status, why = toolbox.request("GET", "https://example.invalid/")
    assert status == 0 and why.startswith("not sent")
