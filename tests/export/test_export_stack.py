"""Export of a log recorded by `cockpit record` against the real loopback stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from stack.stack import Stack

from cockpit.log.verify import verify

pytestmark = pytest.mark.servers

SERVED_LAG = 31_337


def test_recorded_log_exports_the_lag_the_exporter_served(
    tmp_path: Path, stack: Stack, fresh_scenario: object
) -> None:
    # The recorder's own helpers live with its test; imported here so both use one setup.
    from sources.test_record import record, write_config

    stack.scenario.set_gauge(
        "kafka_consumer_lag",
        SERVED_LAG,
        consumergroup="kyc-consumer",
        topic="kyc.cases",
        partition="0",
    )
    config = write_config(tmp_path / "cockpit.toml", stack)
    log = tmp_path / "watch.jsonl"
    proc = record(config, log, stack, "--duration", "5")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert verify(log, None).ok

    out = tmp_path / "report.md"
    result = subprocess.run(
        [sys.executable, "-m", "cockpit", "export", str(log), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/tmp",
    )
    assert result.returncode == 0, result.stderr
    assert "watch report" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert "- Peak consumer lag: 31 337 messages (kyc-consumer / kyc.cases) at " in text
    assert "- Peak PostgreSQL connections: " in text and " of 40 (" in text
    tokens = MarkdownIt("commonmark").parse(text)
    assert tokens[0].type == "heading_open" and tokens[1].content.startswith("Watch report: ")
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
