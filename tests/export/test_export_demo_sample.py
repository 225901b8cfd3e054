"""`cockpit export` of the shipped demo recording, with no config and an empty home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt

from cockpit.launch import sample_log
from cockpit.log.reader import LogReader
from cockpit.log.verify import verify


def test_export_of_the_shipped_demo_recording(tmp_path: Path) -> None:
    sample = sample_log()
    report = verify(sample, None)
    assert report.ok, report.summary
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    for template in ("postmortem", "incident-report"):
        result = subprocess.run(
            [sys.executable, "-m", "cockpit", "export", str(sample), "--template", template],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        written = tmp_path / f"{sample.stem}-{template}.md"
        assert str(written.name) in result.stderr
        text = written.read_text(encoding="utf-8")
        tokens = MarkdownIt("commonmark").parse(text)
        assert tokens[0].tag == "h1" and "PostgreSQL connections exhausted" in tokens[1].content
        assert f"`{report.last_hash}`" in text
        assert "Traceback" not in result.stderr
    postmortem = (tmp_path / f"{sample.stem}-postmortem.md").read_text(encoding="utf-8")
    snapshots = [
        r.event.data for r in LogReader(sample) if r.event.type == "postgres.connections.observed"
    ]
    peak = max(snapshots, key=lambda d: d["total"] / d["max_connections"])
    assert (
        f"- Peak PostgreSQL connections: {peak['total']} of {peak['max_connections']} ("
        in postmortem
    )
    assert "· mitigation · mitigation ok: " in postmortem
