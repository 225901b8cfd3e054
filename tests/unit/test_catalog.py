"""The alert catalog: loading, validation errors, and rules checked by the real promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cleanpy import run_clean

from cockpit.runbook.catalog import (
    CatalogError,
    duration_seconds,
    format_duration,
    generate_rules,
    load_catalog,
    rules_main,
)

SEED_SEVERITIES = {
    "ApiHighLatencyP95": "SEV-3",
    "ApiErrorRateHigh": "SEV-2",
    "OcrServiceDown": "SEV-2",
    "KafkaConsumerLagHigh": "SEV-3",
    "PostgresConnectionsExhausted": "SEV-2",
    "PostgresReplicationLag": "SEV-2",
    "RneBalanceLow": "SEV-4",
    "IdesSubmissionFailure": "SEV-3",
    "AmlListIngestStale": "SEV-3",
    "CertificateExpiringSoon": "SEV-4",
    "AuditHashChainBroken": "SEV-1",
    "MassBiometricFailure": "SEV-1",
    "LicenseQuotaExceeded": "SEV-4",
}
RUNBOOKS = {
    "ApiHighLatencyP95": "RB-001",
    "OcrServiceDown": "RB-002",
    "KafkaConsumerLagHigh": "RB-003",
    "PostgresConnectionsExhausted": "RB-004",
    "RneBalanceLow": "RB-005",
    "IdesSubmissionFailure": "RB-006",
    "CertificateExpiringSoon": "RB-007",
    "AuditHashChainBroken": "RB-008",
    "MassBiometricFailure": "RB-009",
    "LicenseQuotaExceeded": "RB-010",
}


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool not found: install the Debian package `prometheus`")
    return found


def test_packaged_catalog_has_the_seed_alerts_severities_and_runbooks() -> None:
    catalog = load_catalog()
    assert {a.name: a.severity for a in catalog.alerts} == SEED_SEVERITIES
    assert {a.name: a.runbook for a in catalog.alerts if a.runbook} == RUNBOOKS
    assert catalog.runbook_of("AmlListIngestStale") is None
    assert catalog.severity_of("MassBiometricFailure") == "SEV-1"
    assert catalog.severity_of("NotInCatalog") is None and catalog.by_name("x") is None
    assert catalog.thresholds()["KafkaConsumerLagHigh"] == 10_000
    fors = {a.name: a.for_ for a in catalog.alerts}
    assert (fors["ApiHighLatencyP95"], fors["OcrServiceDown"]) == ("5m", "2m")
    assert fors["KafkaConsumerLagHigh"] == "10m"
    assert all(a.target and a.summary and a.description for a in catalog.alerts)


def _write(tmp_path: Path, alerts: list[dict[str, Any]]) -> Path:
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"alerts": alerts}), encoding="utf-8")
    return path


def _alert(**overrides: Any) -> dict[str, Any]:
    base = {"name": "DiskFull", "expr": "disk_free < 1", "for": "1m", "severity": "SEV-3",
            "runbook": None, "summary": "disk", "description": "d", "target": ["host"]}  # fmt: skip
    return {**base, **overrides}


def test_the_packaged_catalog_is_read_without_importlib_resources() -> None:
    """The live cockpit reads it after its first frame: importlib.resources would bring its
    zipfile readers for the life of the process (in a fresh interpreter)."""
    code = (
        "import sys\n"
        "heavy = ('importlib.resources', 'zipfile')\n"
        # Some interpreters' site hooks load them: forget them, so that a new import shows.
        "for name in [m for m in sys.modules if m.startswith(heavy)]:\n"
        "    del sys.modules[name]\n"
        "    parent, _, child = name.rpartition('.')\n"
        "    if parent in sys.modules and hasattr(sys.modules[parent], child):\n"
        "        delattr(sys.modules[parent], child)\n"
        "from cockpit.runbook.catalog import load_catalog\n"
        "assert load_catalog().by_name('OcrServiceDown')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    stdout = run_clean(code)
    assert stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("alert", "field"),
    [
        (_alert(severity="P1"), "'severity'"),
        (_alert(**{"for": "5 minutes"}), "'for'"),
        (_alert(runbook="runbook-1"), "'runbook'"),
        (_alert(target=[]), "'target'"),
        (_alert(colour="red"), "'colour'"),
    ],
)
def test_invalid_alert_names_file_alert_and_field(
    tmp_path: Path, alert: dict[str, Any], field: str
) -> None:
    path = _write(tmp_path, [alert])
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert str(path) in message and "alert 'DiskFull'" in message and field in message
    assert "\n" not in message


def test_duplicates_bad_yaml_and_missing_file_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="defined twice"):
        load_catalog(_write(tmp_path, [_alert(), _alert()]))
    broken = tmp_path / "broken.yaml"
    broken.write_text("alerts: [\n  - name: x\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_catalog(broken)
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.yaml")


def test_durations_round_trip() -> None:
    assert [duration_seconds(d) for d in ("0s", "90s", "5m", "1h30m")] == [0, 90, 300, 5400]
    assert [format_duration(s) for s in (0, 90, 300, 5400)] == ["0s", "1m30s", "5m", "1h30m"]
    with pytest.raises(ValueError):
        duration_seconds("")


def test_for_scale_and_override_shorten_waits() -> None:
    catalog = load_catalog()

    def fors(text: str) -> dict[str, str]:
        return {r["alert"]: r["for"] for r in yaml.safe_load(text)["groups"][0]["rules"]}

    scaled = fors(generate_rules(catalog, for_scale=0.01))
    assert scaled["KafkaConsumerLagHigh"] == "6s" and scaled["OcrServiceDown"] == "1s"
    assert scaled["IdesSubmissionFailure"] == "0s"
    assert set(fors(generate_rules(catalog, for_override="2s")).values()) == {"2s"}
    with pytest.raises(ValueError):
        generate_rules(catalog, for_scale=0)


def test_generated_rules_pass_promtool_check(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(generate_rules(load_catalog()), encoding="utf-8")
    result = subprocess.run(
        [promtool(), "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 13 rules found" in result.stdout


def test_rules_main_prints_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert rules_main(for_scale=1.0) == 0
    out = capsys.readouterr().out
    assert yaml.safe_load(out)["groups"][0]["rules"][0]["alert"] == "ApiHighLatencyP95"
    assert rules_main(for_scale=-1) == 2
    assert "for_scale" in capsys.readouterr().err
