"""`cockpit export LOG --from T --to T`: a full post-mortem of a window of a watch log."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_logs import AUTHOR, T0, FrozenClock, LogWriter, ev, incident_log

from cockpit.cli import main as cli_main


def _lag(value: int) -> ev.KafkaLagObserved:
    item = {"key": "kyc-consumer/kyc.cases", "group": "kyc-consumer", "topic": "kyc.cases"}
    return ev.KafkaLagObserved(source="kafka", items=({**item, "partition": None, "lag": value},))


def _alert(name: str, tenant: str) -> dict[str, object]:
    labels = {"alertname": name, "severity": "SEV-2", "tenant": tenant}
    return {"key": f"fp-{name}", "name": name, "labels": labels, "state": "firing"}


def watch(path: Path) -> Path:
    """A night's watch: a spike before the window, the incident inside, a spike after."""
    w = LogWriter(path, FrozenClock(T0))
    sources = ({"name": "kafka", "kind": "kafka", "interval_s": 2.0},)
    w.add(ev.SourcesConfigured(sources, "prod"))
    early = _alert("RneBalanceLow", "early-tenant")
    w.at(10).add(ev.AlertsObserved(source="am", items=(early,)))
    w.add(_lag(90_000))
    w.at(12).add(ev.PostgresConnectionsObserved("pg", 40, 39, {"active": 39}))
    w.at(60).add(ev.AlertsObserved(source="am", items=()))
    w.add(_lag(100))
    lag_alert = _alert("KafkaConsumerLagHigh", "acme-bank")
    w.at(120).add(ev.AlertsObserved(source="am", items=(lag_alert,)))
    w.add(_lag(5_000))
    w.at(130).add(ev.NoteAdded("n1", "Lag rising on kyc.cases", AUTHOR, ("hypothesis",)))
    w.at(150).add(ev.PostgresConnectionsObserved("pg", 40, 20, {"active": 20}))
    w.at(180).add(_lag(7_250))
    w.at(240).add(ev.AlertsObserved(source="am", items=()))
    w.add(_lag(50))
    w.at(400).add(_lag(80_000))
    w.add(ev.NoteAdded("n2", "Another spike, unrelated", AUTHOR, ("hypothesis",)))
    w.at(420).add(ev.LogClosed("duration"))
    return w.write()


def test_window_of_a_watch_log_is_a_full_post_mortem_from_that_window_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = watch(tmp_path / "watch.jsonl")
    out = tmp_path / "pm.md"
    args = ["export", str(log), "--from", "T+01:30", "--to", "2025-03-12T14:35:00Z"]
    args += ["--title", "Lag on KYC cases", "--severity", "sev2", "-o", str(out)]
    assert cli_main(args) == 0
    assert "post-mortem of the window" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Post-mortem: Lag on KYC cases (2025-03-12)")
    assert "severity SEV-2 · window" in text
    assert "- SEV-2 throughout (given to the export, not recorded in the log)" in text
    assert "The window 2025-03-12 14:31:30 UTC to 2025-03-12 14:35:00 UTC defines" in text
    for section in ("## Summary", "## Timeline", "## Mitigations", "## Root cause", "## Lessons"):
        assert section in text
    assert "- Total duration: 3m 30s" in text
    # Peaks of the window, not the 90 000 before it nor the 80 000 after it.
    assert "- Peak consumer lag: 7 250 messages (kyc-consumer / kyc.cases) at " in text
    assert "- Peak PostgreSQL connections: 20 of 40 (50 %)" in text
    assert "- KafkaConsumerLagHigh (SEV-2): fired 2025-03-12 14:32:00 UTC, for 2m 00s" in text
    assert "RneBalanceLow" not in text and "early-tenant" not in text
    assert "Tenants affected: 1: acme-bank (alert label)" in text
    assert "Lag rising on kyc.cases" in text and "Another spike" not in text
    assert "- Response SLA (SEV-2, 15m 00s): unknown, no acknowledgement recorded" in text


def test_window_of_a_declared_log_keeps_the_incident_option_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = incident_log(tmp_path / "inc.jsonl")
    base = ["export", str(log), "-o", str(tmp_path / "x.md")]
    assert cli_main([*base, "--from", "T+00:10", "--to", "T+05:00", "--incident", "INC-1"]) == 2
    assert "not both" in capsys.readouterr().err
    assert cli_main([*base, "--from", "T+00:10"]) == 2
    assert "both --from and --to" in capsys.readouterr().err
    assert cli_main([*base, "--from", "T+05:00", "--to", "T+00:10"]) == 2
    assert "start before it ends" in capsys.readouterr().err
    assert cli_main([*base, "--from", "T+00:10", "--to", "T+05:00", "--severity", "bad"]) == 2
    assert "not a severity" in capsys.readouterr().err
    assert cli_main([*base, "--from", "2024-01-01T00:00:00Z", "--to", "2024-01-02T00:00:00Z"]) == 2
    assert "outside the log" in capsys.readouterr().err
    assert cli_main([*base, "--from", "yesterday", "--to", "now"]) == 2
    assert "RFC 3339" in capsys.readouterr().err
    # The declared incident is still exported as before without a window.
    assert cli_main(base) == 0
    assert "export of INC-20250312-kyc-lag" in capsys.readouterr().err
