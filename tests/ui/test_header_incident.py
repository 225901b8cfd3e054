"""The status bar says which incident is current when a log holds several."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from export.export_logs import T0, two_incidents

from cockpit.domain.fold import fold
from cockpit.log.reader import LogReader
from cockpit.screens.header import HeaderInfo, header_text


def test_header_names_the_current_incident_and_its_number(tmp_path: Path) -> None:
    events = [r.event for r in LogReader(two_incidents(tmp_path / "two.jsonl"))]
    info = HeaderInfo("REPLAY")
    resolved_first = next(i for i, e in enumerate(events) if e.type == "incident.updated")
    between = header_text(info, fold(events[: resolved_first + 1]), T0 + timedelta(seconds=650), 2)
    assert "INC-A resolved" in between.plain and "no incident declared" not in between.plain
    text = header_text(info, fold(events), T0 + timedelta(seconds=760), 2).plain
    assert " #2 INC-B " in text and "ack due in" in text
    assert "INC-A" not in text
