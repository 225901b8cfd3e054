"""Old watch logs are pruned unless they hold an incident; other files are never touched."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from cockpit.log.rotation import holds_incident, prune_watch_logs

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def make(path: Path, text: str, hours_old: float) -> Path:
    path.write_text(text, encoding="utf-8")
    stamp = NOW.timestamp() - hours_old * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_prunes_only_old_watch_logs_without_incident(tmp_path: Path) -> None:
    old = make(tmp_path / "watch-a.jsonl", '{"type":"alerts.observed"}\n', 100)
    (tmp_path / "watch-a.jsonl.idx").write_text("x", encoding="utf-8")
    recent = make(tmp_path / "watch-b.jsonl", '{"type":"alerts.observed"}\n', 1)
    kept = make(tmp_path / "watch-c.jsonl", '{"seq":9,"type":"incident.declared"}\n', 100)
    other = make(tmp_path / "inc-x.jsonl", "{}\n", 500)

    removed = prune_watch_logs(tmp_path, 72, NOW)

    assert removed == [old]
    assert not old.exists() and not (tmp_path / "watch-a.jsonl.idx").exists()
    assert recent.exists() and kept.exists() and other.exists()
    assert holds_incident(kept) and not holds_incident(recent)


def test_missing_dir_is_fine(tmp_path: Path) -> None:
    assert prune_watch_logs(tmp_path / "nope", 1, NOW) == []
