"""Golden files: fixed logs on a frozen clock give exactly the expected Markdown.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/export` and review the
diff like code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from export_logs import incident_log, watch_log

from cockpit.export.run import export_markdown

GOLDEN = Path(__file__).parent / "golden"

CASES: list[tuple[str, Callable[[Path], Path], str, bool]] = [
    ("postmortem.md", incident_log, "postmortem", False),
    ("postmortem-redacted.md", incident_log, "postmortem", True),
    ("incident-report.md", incident_log, "incident-report", False),
    ("watch-postmortem.md", watch_log, "postmortem", False),
    ("watch-incident-report.md", watch_log, "incident-report", False),
]


@pytest.mark.parametrize(
    ("golden", "build", "template", "redact"), CASES, ids=[c[0] for c in CASES]
)
def test_export_matches_golden(
    tmp_path: Path, golden: str, build: Callable[[Path], Path], template: str, redact: bool
) -> None:
    log = build(tmp_path / "incident.jsonl")
    document = export_markdown(log, template=template, redact=redact)
    expected = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(document.markdown, encoding="utf-8")
    assert document.warning is None
    assert document.markdown == expected.read_text(encoding="utf-8")


def test_incident_figures_are_the_recorded_ones(tmp_path: Path) -> None:
    text = export_markdown(incident_log(tmp_path / "i.jsonl")).markdown
    assert "- Peak consumer lag: 48 000 messages (kyc-consumer / kyc.cases)" in text
    assert "- Peak PostgreSQL connections: 36 of 40 (90 %)" in text
    assert "- Time to acknowledge (MTTA): 1m 20s" in text
    assert "- Time to mitigate: 5m 10s" in text
    assert "- Time to resolve (MTTR): 6m 30s" in text
    assert "- Response SLA (SEV-1, 5m 00s): met" in text
    assert "fired 2025-03-12 14:30:10 UTC, for 5m 20s" in text
    # The superseded hypothesis is in the timeline but not offered as the current one.
    assert "(superseded) Consumer pods restart" in text
    assert "- Consumer pods restart" not in text


def test_secrets_never_appear_personal_data_only_without_redact(tmp_path: Path) -> None:
    log = incident_log(tmp_path / "i.jsonl")
    internal = export_markdown(log).markdown
    external = export_markdown(log, redact=True).markdown
    for text in (internal, external):
        assert "hunter2" not in text
        assert "postgres://kyc:\\*\\*\\*@db" in text or "postgres://kyc:***@db" in text
    assert "ops@example.com" in internal and "+33 6 12 34 56 78" in internal
    assert "acme-bank" in internal
    for personal in ("ops@example.com", "+33 6 12 34 56 78", "acme-bank", "globex"):
        assert personal not in external
    assert "tenant-A" in external and "tenant-B" in external
    assert "\\[email\\]" in external and "\\[phone\\]" in external
