"""A number edited past the float range (`1e999` reads as infinity) is damage, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from json_strategies import T0, write_rows

from cockpit.clock import FrozenClock
from cockpit.log.recovery import LogKeyError
from cockpit.log.store import IncidentLog
from cockpit.log.verify import EXIT_BROKEN, verify


def _edited_log(tmp_path: Path, last: bool) -> Path:
    path = tmp_path / "inc.jsonl"
    rows = [("note.added", {"v": 1.5e300})] + ([] if last else [("note.added", {"v": 1})])
    write_rows(path, rows, None)
    text = path.read_text()
    assert text.count("1.5e+300") == 1
    path.write_text(text.replace("1.5e+300", "1.5e+999"))
    return path


@pytest.mark.parametrize("fast", [True, False])
def test_verify_reports_the_edited_line_as_a_hash_mismatch(tmp_path: Path, fast: bool) -> None:
    report = verify(_edited_log(tmp_path, last=False), None, fast=fast)
    assert report.status == EXIT_BROKEN
    assert report.bad_seq == 2
    assert "hash mismatch" in report.summary


def test_opening_a_log_whose_last_line_was_edited_says_so(tmp_path: Path) -> None:
    path = _edited_log(tmp_path, last=True)
    with pytest.raises(LogKeyError, match="does not match its hash"):
        IncidentLog.open(path, clock=FrozenClock(T0))
