"""The progress bar of `cockpit verify` and `cockpit export`: drawn on a terminal only."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.clock import FrozenClock
from cockpit.export.run import main as export_main
from cockpit.log.events import NoteAdded
from cockpit.log.progress import ProgressBar, bar_text
from cockpit.log.store import IncidentLog
from cockpit.log.verify import main as verify_main

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_text_shows_share_and_rate() -> None:
    assert bar_text("verifying", 50 * 2**20, 100 * 2**20, 0.5) == (
        f"verifying [{'#' * 15}{'.' * 15}]  50%    100 MB/s"
    )
    assert bar_text("reading", 3 * 2**20, None, 1.0) == "reading        3 MB      3 MB/s"


def test_drawn_at_most_every_interval_and_erased() -> None:
    ticks = iter([0.0, 0.05, 0.1, 0.3, 0.31])
    out = Terminal()
    with ProgressBar("verifying", 100, out, clock=lambda: next(ticks)) as bar:
        for done in (10, 20, 30, 40):
            bar.update(done)
    assert bar.drawn == 2  # at 0.05 and 0.3 s; 0.1 s was too soon
    written = out.getvalue()
    assert "\x1b" not in written  # blanks erase it: no escape sequence outside the UI
    last = written.rsplit("\r", 2)
    assert last[-1] == "" and last[-2].strip() == "" and len(last[-2]) >= len("verifying")


def test_nothing_drawn_when_not_a_terminal() -> None:
    out = io.StringIO()
    with ProgressBar("verifying", 100, out) as bar:
        bar.update(50)
    assert out.getvalue() == "" and bar.drawn == 0


def small_log(path: Path) -> None:
    clock = FrozenClock(T0)
    log, _ = IncidentLog.open(path, clock=clock, host="h", user="u")
    with log:
        for i in range(20):
            clock.advance(1)
            log.append(NoteAdded(note_id=f"n{i}", text="checked", author="ana"))


def test_commands_draw_on_a_terminal_stderr_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inc.jsonl"
    small_log(path)
    assert verify_main(str(path)) == 0
    assert (
        export_main(str(path), template="postmortem", output=str(tmp_path / "a.md"), redact=False)
        == 0
    )
    assert "\r" not in capsys.readouterr().err  # pytest's stderr is not a terminal
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    assert verify_main(str(path)) == 0
    assert "verifying [" in err.getvalue() and "MB/s" in err.getvalue()
    err.seek(0)
    err.truncate()
    assert (
        export_main(str(path), template="postmortem", output=str(tmp_path / "b.md"), redact=False)
        == 0
    )
    assert "reading [" in err.getvalue()  # an intact log: folded and verified in one pass
    assert (tmp_path / "a.md").read_text() == (tmp_path / "b.md").read_text()
