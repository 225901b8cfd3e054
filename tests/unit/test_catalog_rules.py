"""Every catalog alert fires (and its healthy twin stays quiet) under `promtool test rules`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cockpit.runbook.catalog import Catalog, generate_rules, load_catalog

# series -> values, sampled every minute; each alert has one target that must fire and one
# that must not (the second label set in each block).
SERIES = {
    'http_request_duration_seconds_bucket{service="aml-svc",le="0.1"}': "0+1x30",
    'http_request_duration_seconds_bucket{service="aml-svc",le="0.6"}': "0+2x30",
    'http_request_duration_seconds_bucket{service="aml-svc",le="2.5"}': "0+60x30",
    'http_request_duration_seconds_bucket{service="aml-svc",le="+Inf"}': "0+60x30",
    'http_request_duration_seconds_bucket{service="kyc-svc",le="0.1"}': "0+60x30",
    'http_request_duration_seconds_bucket{service="kyc-svc",le="0.6"}': "0+60x30",
    'http_request_duration_seconds_bucket{service="kyc-svc",le="2.5"}': "0+60x30",
    'http_request_duration_seconds_bucket{service="kyc-svc",le="+Inf"}': "0+60x30",
    'http_requests_total{service="kyc-svc",status="500"}': "0+10x30",
    'http_requests_total{service="kyc-svc",status="200"}': "0+100x30",
    'http_requests_total{service="tcr-svc",status="500"}': "0+1x30",
    'http_requests_total{service="tcr-svc",status="200"}': "0+1000x30",
    'up{job="ocr-svc",instance="ocr:8080"}': "1x5 0x25",
    'up{job="kyc-svc",instance="kyc:8080"}': "0x30",
    'kafka_consumer_lag{consumergroup="kyc-consumer",topic="kyc.events",partition="0"}': "6000x30",
    'kafka_consumer_lag{consumergroup="kyc-consumer",topic="kyc.events",partition="1"}': "6000x30",
    'kafka_consumer_lag{consumergroup="aml-screening",topic="aml.req",partition="0"}': "9000x30",
    'pg_stat_activity_count{instance="pg:9187",server="db1",datname="kyc",state="idle"}': "30x30",
    'pg_stat_activity_count{instance="pg:9187",server="db1",datname="kyc",state="active"}': "5x30",
    'pg_settings_max_connections{instance="pg:9187",server="db1"}': "40x30",
    'pg_stat_activity_count{instance="pg:9187",server="db2",datname="kyc",state="idle"}': "10x30",
    'pg_settings_max_connections{instance="pg:9187",server="db2"}': "40x30",
    'pg_replication_lag_bytes{replica="r1"}': "200000000x30",
    'pg_replication_lag_bytes{replica="r2"}': "1000x30",
    'rne_subscription_balance{tenant="t1"}': "500x30",
    'rne_subscription_balance{tenant="t2"}': "5000x30",
    'tcr_ides_submission_failed_total{tenant="t1"}': "0x10 1x20",
    'tcr_ides_submission_failed_total{tenant="t2"}': "0x30",
    'aml_list_last_ingested_seconds_ago{list="ofac-sdn"}': "90000x30",
    'aml_list_last_ingested_seconds_ago{list="eu"}': "3600x30",
    'cert_expiry_days{domain="a.example"}': "3x30",
    'cert_expiry_days{domain="b.example"}': "60x30",
    'audit_chain_integrity_failed_total{tenant="t2"}': "0x5 1x25",
    'audit_chain_integrity_failed_total{tenant="t1"}': "0x30",
    'tenant_checks_month{tenant="t1"}': "9700x30",
    'license_limit{tenant="t1"}': "10000x30",
    'tenant_checks_month{tenant="t2"}': "100x30",
    'license_limit{tenant="t2"}': "10000x30",
    'tenant_checks_month{tenant="t3"}': "50x30",
    'license_limit{tenant="t3"}': "0x30",
}
FIRING = {  # alert -> labels of the one expected firing alert at 20m
    "ApiHighLatencyP95": {"service": "aml-svc"},
    "ApiErrorRateHigh": {"service": "kyc-svc"},
    "OcrServiceDown": {"job": "ocr-svc", "instance": "ocr:8080"},
    "KafkaConsumerLagHigh": {"consumergroup": "kyc-consumer", "topic": "kyc.events"},
    "PostgresConnectionsExhausted": {"instance": "pg:9187", "server": "db1"},
    "PostgresReplicationLag": {"replica": "r1"},
    "RneBalanceLow": {"tenant": "t1"},
    "IdesSubmissionFailure": {"tenant": "t1"},
    "AmlListIngestStale": {"list": "ofac-sdn"},
    "CertificateExpiringSoon": {"domain": "a.example"},
    "AuditHashChainBroken": {"tenant": "t2"},
    "LicenseQuotaExceeded": {"tenant": "t1"},
}
# Liveness failures per minute: a day of history (rate() divides by the whole 1d window,
# so a shorter history would understate the baseline), then 20 minutes at the current rate.
# steady: 60/min then 300/min (5x, below 10x); attacked: 60/min then 1200/min (20x);
# new tenant with no history at 30/min (above the 0.01/s floor x10); quiet new tenant 3/min.
BIOMETRIC = {
    'liveness_fail_total{tenant="steady"}': "0+60x1500 90000+300x20",
    'liveness_fail_total{tenant="attacked"}': "0+60x1500 90000+1200x20",
    'liveness_fail_total{tenant="newcomer"}': "_x1500 0+30x20",
    'liveness_fail_total{tenant="quiet"}': "_x1500 0+3x20",
}


def _expected(catalog: Catalog, name: str, labels: dict[str, str]) -> dict[str, Any]:
    rule = catalog.by_name(name)
    assert rule is not None
    exp_labels = {**labels, "severity": rule.severity}
    annotations = {
        "summary": f"{rule.summary} (" + ", ".join(f"{t}={labels[t]}" for t in rule.target) + ")",
        "description": rule.description,
    }
    if rule.runbook:
        exp_labels["runbook"] = rule.runbook
        annotations["runbook"] = rule.runbook
    return {"exp_labels": exp_labels, "exp_annotations": annotations}


def _series(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"series": name, "values": v} for name, v in values.items()]


def test_every_alert_fires_only_for_its_bad_target(tmp_path: Path) -> None:
    catalog = load_catalog()
    (tmp_path / "rules.yml").write_text(generate_rules(catalog), encoding="utf-8")
    checks = [
        {
            "eval_time": "20m",
            "alertname": name,
            "exp_alerts": [_expected(catalog, name, labels)],
        }
        for name, labels in FIRING.items()
    ]
    biometric = [
        {"eval_time": "1520m", "alertname": "MassBiometricFailure",
         "exp_alerts": [_expected(catalog, "MassBiometricFailure", {"tenant": t})
                        for t in ("attacked", "newcomer")]},
        # Ten minutes into the attack the 15-minute window has not crossed 10x yet.
        {"eval_time": "1505m", "alertname": "MassBiometricFailure", "exp_alerts": []},
    ]  # fmt: skip
    spec = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "5m",  # coarse steps keep promtool fast
        "tests": [
            {"interval": "1m", "input_series": _series(SERIES), "alert_rule_test": checks},
            {"interval": "1m", "input_series": _series(BIOMETRIC), "alert_rule_test": biometric},
        ],
    }
    assert {c["alertname"] for c in checks} | {"MassBiometricFailure"} == {
        a.name for a in catalog.alerts
    }
    test_file = tmp_path / "catalog_test.yml"
    test_file.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    tool = shutil.which("promtool")
    if tool is None:
        pytest.fail("promtool not found: install the Debian package `prometheus`")
    result = subprocess.run(
        [tool, "test", "rules", str(test_file)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
