"""The scripted incident: which alerts fire when, recovery, determinism and a quiet cadence."""

from __future__ import annotations

import itertools

import pytest

from cockpit.runbook.catalog import Catalog, duration_seconds, load_catalog
from cockpit.sim.alerting import AlertEngine, DemoAlert
from cockpit.sim.metrics import series_at
from cockpit.sim.platform import Platform
from cockpit.sim.scenario import CYCLE_S, Scenario

INCIDENT = {
    ("ApiHighLatencyP95", "SEV-3", "RB-001", "service=kyc-svc"),
    ("KafkaConsumerLagHigh", "SEV-3", "RB-003", "consumergroup=kyc-consumer, topic=kyc.cases"),
    ("LicenseQuotaExceeded", "SEV-4", "RB-010", "tenant=acme-bank"),
    (
        "PostgresConnectionsExhausted",
        "SEV-2",
        "RB-004",
        "instance=pg-exporter:9187, server=pg-primary:5432",
    ),
    ("RneBalanceLow", "SEV-4", "RB-005", "tenant=tunis-fintech"),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def engine(
    catalog: Catalog, seed: int = 7, *, loop: bool = False, for_scale: float = 0.05
) -> AlertEngine:
    scenario = Scenario(loop=loop, pause_s=60.0, for_scale=for_scale)
    return AlertEngine(Platform(seed, scenario), lambda: catalog)


def summary(alerts: list[DemoAlert]) -> set[tuple[str, str, str, str]]:
    out = set()
    for a in alerts:
        target = a.annotations["summary"].rsplit(" (", 1)[1].rstrip(")")
        out.add((a.name, a.labels["severity"], a.labels.get("runbook", ""), target))
    return out


def by_name(alerts: list[DemoAlert]) -> dict[str, DemoAlert]:
    return {a.name: a for a in alerts}


def test_healthy_at_the_start(catalog: Catalog) -> None:
    alerts = engine(catalog)
    for t in (0.0, 10.0, 19.0, 40.0, 50.0):
        assert alerts.evaluate(t) == [], f"alert at t={t}"
    platform = alerts.platform
    assert sum(platform.connections(0).values()) < 0.5 * platform.max_connections


def test_at_150_the_whole_incident_is_firing(catalog: Catalog) -> None:
    alerts = engine(catalog).evaluate(150.0)
    assert all(a.state == "firing" for a in alerts)
    assert summary(alerts) == INCIDENT
    pg = by_name(alerts)["PostgresConnectionsExhausted"]
    assert pg.labels["server"] == "pg-primary:5432" and pg.labels["job"] == "postgres"
    assert pg.value > 170
    kafka = by_name(alerts)["KafkaConsumerLagHigh"]
    assert kafka.value > 10_000 and kafka.labels["instance"] == "kafka-exporter:9308"
    assert kafka.annotations["runbook_url"].endswith("/RB-003")
    rule = catalog.by_name(kafka.name)
    assert rule is not None and kafka.annotations["description"] == rule.description


def test_recovered_at_400_and_held(catalog: Catalog) -> None:
    alerts = engine(catalog)
    assert alerts.evaluate(400.0) == []
    assert alerts.evaluate(5000.0) == []
    platform = alerts.platform
    assert sum(platform.connections(400).values()) < 100
    assert platform.group_lags(400)["kyc-consumer", "kyc.cases"] < 1000


def test_pending_then_firing_after_the_scaled_for(catalog: Catalog) -> None:
    alerts = engine(catalog)
    states = {t: by_name(alerts.evaluate(float(t))) for t in range(40, 70)}
    first = min(t for t, found in states.items() if "PostgresConnectionsExhausted" in found)
    pg = states[first]["PostgresConnectionsExhausted"]
    assert pg.state == "pending" and pg.active_at == first and pg.fired_at is None
    wait = duration_seconds("1m") * 0.05
    fired = states[first + int(wait)]["PostgresConnectionsExhausted"]
    assert fired.state == "firing" and fired.active_at == first
    assert fired.fired_at == first + wait
    assert states[first + int(wait) - 1]["PostgresConnectionsExhausted"].state == "pending"


def test_for_scale_stretches_the_wait(catalog: Catalog) -> None:
    slow = by_name(engine(catalog, for_scale=0.1).evaluate(140.0))
    fast = by_name(engine(catalog).evaluate(140.0))
    assert fast["KafkaConsumerLagHigh"].state == "firing"
    assert slow["KafkaConsumerLagHigh"].state == "pending"
    assert slow["KafkaConsumerLagHigh"].active_at == fast["KafkaConsumerLagHigh"].active_at


def test_history_walk_does_not_depend_on_evaluation_order(catalog: Catalog) -> None:
    stepped = engine(catalog)
    for t in range(0, 151, 7):
        stepped.evaluate(float(t))
    assert stepped.evaluate(150.0) == engine(catalog).evaluate(150.0)
    backwards = engine(catalog)
    backwards.evaluate(300.0)
    assert backwards.evaluate(130.0) == engine(catalog).evaluate(130.0)


def test_same_seed_same_platform_other_seed_other_tenants(catalog: Catalog) -> None:
    for t in (-600.0, 0.0, 75.5, 150.0, 333.0):
        assert series_at(Platform(7), t) == series_at(Platform(7), t)
    assert series_at(Platform(7), 10.0) != series_at(Platform(8), 10.0)
    assert summary(engine(catalog, seed=8).evaluate(150.0)) == INCIDENT


@pytest.mark.parametrize("seed", [1, 2, 3, 42])
def test_only_the_script_raises_alerts(catalog: Catalog, seed: int) -> None:
    alerts = engine(catalog, seed=seed)
    names = {a.name for t in range(0, int(CYCLE_S), 10) for a in alerts.evaluate(float(t))}
    assert names == {name for name, *_ in INCIDENT}
    targets = {a.labels.get("tenant") for t in range(0, 400, 30) for a in alerts.evaluate(float(t))}
    assert targets <= {None, "acme-bank", "tunis-fintech"}


def test_figures_move_at_a_modest_cadence() -> None:
    platform = Platform(7)
    for t in (0.0, 31.0, 150.0):
        assert series_at(platform, t) == series_at(platform, t + 0.9), "changed within a second"
    assert platform.tenants(31.0) == platform.tenants(59.0)
    assert platform.tenants(59.0) != platform.tenants(60.0)
    lags = [platform.group_lags(float(t)) for t in range(0, 60, 2)]
    busy = {t for a, b in itertools.pairwise(lags) for t, v in a.items() if b[t] != v}
    assert ("aml-screening", "aml.requests") in busy
    quiet = ("billing-meter", "billing.usage")  # a 15 s cadence
    assert len({platform.group_lags(float(t))[quiet] for t in range(0, 15)}) == 1


def test_loop_replays_the_script_after_the_pause(catalog: Catalog) -> None:
    looping = engine(catalog, loop=True)
    period = CYCLE_S + 60.0
    first, second = looping.evaluate(150.0), looping.evaluate(150.0 + period)
    assert summary(second) == INCIDENT
    assert [a.active_at + period for a in first] == [a.active_at for a in second]
    assert looping.evaluate(CYCLE_S + 30.0) == []
    assert Scenario(loop=True).beat(CYCLE_S + 10.0).startswith("all services healthy")
    assert "rolled back" in Scenario().beat(305.0)


@pytest.mark.parametrize(
    ("kwargs", "word"), [({"pause_s": -1.0}, "pause_s"), ({"for_scale": 0.0}, "for_scale")]
)
def test_bad_scenario_settings_are_refused(kwargs: dict[str, float], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        Scenario(**kwargs)  # type: ignore[arg-type]
