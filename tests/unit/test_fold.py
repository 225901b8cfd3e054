"""The fold over observations: determinism, full/delta semantics, health, unknown events."""

from __future__ import annotations

from test_fold_support import Log, alert, alerts, at, lag, scenario, tenant

from cockpit.domain.fold import Folder, fold
from cockpit.log import events as ev


def test_same_events_give_equal_states() -> None:
    first, second = fold(scenario()), fold(scenario())
    assert first == second
    assert first.digest() == second.digest()
    assert first.last_seq == len(scenario())
    assert first.event_count == len(scenario())


def test_one_more_event_changes_the_digest() -> None:
    events = scenario()
    assert fold(events).digest() != fold(events[:-1]).digest()


def test_vanished_alert_is_resolved_with_its_duration() -> None:
    log = Log()
    log.add(alerts([alert("a1", state="pending")]), 0)
    log.add(alerts([alert("a1")]), 30)
    log.add(alerts([alert("a2")], full=False), 40)
    log.add(alerts([], full=False, removed=["a1"]), 100)
    log.add(alerts([]), 130)
    state = fold(log.events)
    assert state.alert_count() == 0
    assert [r.key for r in state.resolved_alerts] == ["a1", "a2"]
    first = state.resolved_alerts[0]
    assert first.fired_at == at(30)  # pending does not count as fired
    assert first.first_seen == at(0)
    assert first.resolved_at == at(100)
    assert first.duration_s == 70
    assert state.resolved_alerts[1].duration_s == 90
    assert state.resolved_count == 2


def test_alert_keeps_first_seen_across_observations() -> None:
    log = Log()
    log.add(alerts([alert("a1", value=1)]), 0)
    log.add(alerts([alert("a1", value=2)]), 10)
    rec = fold(log.events).alerts["am"]["a1"]
    assert (rec.first_seen, rec.last_seen, rec.item["value"]) == (at(0), at(10), 2)


def test_full_observation_replaces_only_its_own_source() -> None:
    log = Log()
    log.add(ev.AlertsObserved(source="am-eu", items=(alert("x"),)), 0)
    log.add(ev.AlertsObserved(source="am-us", items=(alert("y"),)), 1)
    log.add(ev.AlertsObserved(source="am-us", items=()), 2)
    state = fold(log.events)
    assert sorted(rec.key for rec in state.iter_alerts()) == ["x"]


def test_kafka_totals_sum_partitions_and_keep_the_peak() -> None:
    log = Log()
    log.add(ev.KafkaLagObserved(source="k", items=(lag("g", "t", 5, 0), lag("g", "t", 7, 1))), 0)
    log.add(ev.KafkaLagObserved(source="k", full=False, items=(lag("g", "t", 1, 0),)), 10)
    log.add(ev.KafkaLagObserved(source="k", items=()), 20)
    state = fold(log.events[:2])
    total = state.kafka["k"].totals[("g", "t")]
    assert total.lag == 8
    assert [v for _, v in total.history] == [12, 8]
    assert state.kafka_peaks[("g", "t")] == (12, at(0))
    gone = fold(log.events)
    assert gone.kafka["k"].totals == {}
    assert gone.kafka_peak == (("g", "t"), (12, at(0)))


def test_kafka_reported_total_wins_over_partition_sum() -> None:
    log = Log()
    items = (lag("g", "t", 5, 0), lag("g", "t", 100))
    log.add(ev.KafkaLagObserved(source="k", items=items), 0)
    assert fold(log.events).kafka["k"].totals[("g", "t")].lag == 100


def test_tenants_and_postgres_are_stored_as_observed() -> None:
    log = Log()
    log.add(ev.TenantQuotaObserved(source="b", items=(tenant("acme", 1, 2, 3),)), 0)
    log.add(ev.PostgresConnectionsObserved(source="pg", max_connections=100, total=40), 1)
    log.add(ev.PostgresConnectionsObserved(source="pg", max_connections=100, total=90), 2)
    log.add(ev.PostgresConnectionsObserved(source="pg", max_connections=100, total=50), 3)
    state = fold(log.events)
    assert state.tenants["b"]["acme"]["rne_balance"] == 3
    pg = state.postgres["pg"]
    assert [v for _, v in pg.history] == [0.4, 0.9, 0.5]
    assert pg.peak == (0.9, at(2))
    assert pg.snapshot["total"] == 50


def test_polls_and_failures_update_source_health() -> None:
    log = Log()
    log.add(ev.SourcePolled("prom", 12.5), 0)
    log.add(ev.SourceFailed("prom", "timeout", "deadline 5 s", 5000.0), 2)
    log.add(ev.SourceFailed("prom", "http", "503", 20.0, retry_after_s=4), 4)
    failed = fold(log.events).health["prom"]
    assert (failed.last_ok, failed.failed, failed.consecutive_failures) == (at(0), True, 2)
    assert (failed.error_kind, failed.error_message, failed.retry_after_s) == ("http", "503", 4)
    log.add(ev.SourcePolled("prom", 9.0, warnings=("partial response",)), 6)
    healed = fold(log.events).health["prom"]
    assert (healed.failed, healed.consecutive_failures, healed.last_ok) == (False, 0, at(6))
    assert healed.warnings == ("partial response",)
    assert healed.error_kind == "http"  # the last error stays known for the timeline


def test_observation_marks_its_source_healthy() -> None:
    log = Log()
    log.add(ev.SourceFailed("am", "connect", "refused", 1.0), 0)
    log.add(alerts([alert("a")]), 3)
    health = fold(log.events).health["am"]
    assert (health.failed, health.last_ok) == (False, at(3))


def test_unknown_and_unreadable_events_are_kept_and_counted() -> None:
    log = Log()
    log.raw("future.widget", {"a": 1}, 0)
    log.raw("future.widget", {"a": 2}, 1)
    log.raw("note.added", {"text": "no id"}, 2)
    log.raw("alerts.observed", {"source": "am", "items": [["not", "a", "dict"]]}, 3)
    log.raw("kafka.lag.observed", {"items": []}, 4)
    log.add(alerts([alert("ok")]), 5)
    state = fold(log.events)
    assert state.unknown_counts == {
        "future.widget": 2,
        "note.added": 1,
        "alerts.observed": 1,
        "kafka.lag.observed": 1,
    }
    assert state.unknown_total == 5
    assert [(u.type, u.seq) for u in state.unknown][:2] == [
        ("future.widget", 1),
        ("future.widget", 2),
    ]
    assert "unreadable" in state.unknown[3].reason
    assert state.alert_count() == 1
    assert state.last_seq == 6


def test_closed_flag_follows_the_last_close() -> None:
    events = scenario()
    assert fold(events).closed
    assert fold(events).close_reason == "quit"
    log = Log()
    log.events = list(events)
    log.add(ev.SourcePolled("am", 1.0), 20)
    assert not fold(log.events).closed


def test_header_is_read_from_the_first_line() -> None:
    header = fold(scenario()).header
    assert header is not None
    assert (header.incident_id, header.host, header.user, header.hash_mode) == (
        "INC-7", "bastion-1", "ana", "sha256",
    )  # fmt: skip


def test_folder_state_matches_fold() -> None:
    folder = Folder()
    for event in scenario():
        folder.apply(event)
    assert folder.state == fold(scenario())


def test_sources_configured_tells_each_pane_its_sources() -> None:
    payload = ev.SourcesConfigured(
        sources=(
            {"name": "alertmanager", "kind": "alerts", "interval_s": 2.0},
            {"name": "postgres", "kind": "postgres", "interval_s": 5.0},
        ),
        environment="prod",
        production=True,
    )
    event = ev.Event(1, at(0), payload.TYPE, payload.to_data(), "0" * 64, "1" * 64)
    state = fold([event])
    assert state.sources["postgres"].kind == "postgres"
    assert state.sources["postgres"].interval_s == 5.0
    assert state.sources["alertmanager"].kind == "alerts"
    assert state.environment is not None and state.environment.production
    assert not state.unknown


def test_a_checkpoint_freezes_histories_out_of_the_collectors_sight() -> None:
    """A checkpoint's histories are tuples the garbage collector stops scanning: with a
    deque per series and per checkpoint, a full collection took 200 ms in a long replay."""
    import gc

    from cockpit.domain.series import HISTORY_LEN

    log = Log()
    for i in range(HISTORY_LEN + 5):
        items = (lag("g", "t", i, 0), lag("g", "t", 2 * i, 1))
        log.add(ev.KafkaLagObserved(source="k", items=items), i)
        log.add(ev.PostgresConnectionsObserved(source="pg", max_connections=100, total=i), i)
    folder = Folder()
    folder.apply_all(log.events)
    saved = folder.checkpoint()
    kafka, pg = saved.kafka["k"], saved.postgres["pg"]
    histories = [s.history for s in (*kafka.series.values(), *kafka.totals.values())]
    histories.append(pg.history)
    assert all(type(h) is tuple and len(h) == HISTORY_LEN for h in histories)
    gc.collect()
    gc.collect()  # a tuple is let go once its items were, maybe in a later pass
    assert not any(gc.is_tracked(h) for h in histories)
    live = folder.state.kafka["k"].totals[("g", "t")]
    assert [v for _, v in live.history][-1] == 3 * (HISTORY_LEN + 4)
    # Restored, the series go on appending from where the checkpoint stood.
    folder.restore(saved)
    folder.apply(log.events[0])
    restored = folder.state.kafka["k"].totals[("g", "t")].history
    assert len(restored) == HISTORY_LEN and restored[-1][1] == 0
    assert [v for _, v in restored][:-1] == [v for _, v in histories[-2]][1:]
    assert saved.kafka["k"].totals[("g", "t")].history == histories[-2]  # left unchanged
