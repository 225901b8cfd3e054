"""The hostile corpus in every pane, the runbook screen, the timeline and the export, in a pty."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hostile_log import hostile_strings, write_hostile_log, write_hostile_names_log
from ptyrun import run_in_pty

pytestmark = pytest.mark.e2e

TEXTUAL_OWN = re.compile(rb"\x1b\]22;[a-z-]*\x07")
"""The only OSC Textual itself writes (pointer shape); anything else came from data."""
CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
FORBIDDEN: dict[str, re.Pattern[bytes]] = {
    "OSC (title, clipboard, hyperlink)": re.compile(rb"\x1b\]"),
    "DCS / SOS / PM / APC": re.compile(rb"\x1b[PX^_]"),
    "reset (RIS)": re.compile(rb"\x1bc"),
    "BEL, BS or NUL": re.compile(rb"[\x07\x08\x00]"),
    "8-bit C1 control": re.compile(rb"\xc2[\x80-\x9f]"),
    "bidi override or isolate": re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"),
    "clear screen / cursor report / line erase from data": re.compile(
        rb"\x1b\[2J|\x1b\[6n|\x1b\[1A\x1b\[2Kfake"
    ),
    "raw SGR from data": re.compile(rb"\x1b\[31mRED"),
}
VISIBLE = ("[b]bold?[/b]", "RED", "click me", "RneBalanceLow")
"""Pieces of the corpus that must be on screen as plain text (markup not interpreted)."""


def cockpit() -> str:
    path = shutil.which("cockpit")
    if path is None:
        pytest.fail("the installed `cockpit` command is required (pip install -e .)")
    return path


def leaks(output: bytes) -> list[str]:
    """Names of the forbidden sequences found once Textual's own OSC 22 is set aside."""
    rest = TEXTUAL_OWN.sub(b"", output)
    return [name for name, pattern in FORBIDDEN.items() if pattern.search(rest)]


@pytest.fixture(scope="module")
def hostile_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    return path, write_hostile_log(path)


@pytest.mark.parametrize(
    ("size", "colorterm"), [((200, 50), "truecolor"), ((80, 24), "")], ids=["200x50", "80x24"]
)
def test_panes_runbook_and_timeline_stay_inert(
    hostile_log: tuple[Path, str], size: tuple[int, int], colorterm: str
) -> None:
    log, last = hostile_log
    keys = [
        (0.8, b"1"),
        (1.5, b"\r"),  # the runbook screen, parameters filled from hostile labels
        (1.2, b"\x1b"),
        (0.8, b"3"),
        (0.8, b"4"),
        (0.8, b"t"),  # the timeline: hostile notes, authors and the incident title
        (1.5, b"\x1b"),
        (1.0, b"q"),
        # On a loaded machine a screen may open after the key meant to close it: close
        # whatever is still open and quit again (sent only while the cockpit still runs).
        (1.5, b"\x1b"),
        (1.0, b"\x1b"),
        (1.0, b"q"),
    ]
    env = {"TERM": "xterm-256color", "COLORTERM": colorterm, "TEXTUAL_ANIMATIONS": "none"}
    run = run_in_pty([cockpit(), "replay", str(log), "--at", last], size=size, env=env, keys=keys)
    text = CSI.sub(b"", run.output).decode("utf-8", "replace")
    assert run.returncode == 0, text[-2000:]
    assert "Traceback" not in text
    assert leaks(run.output) == []
    if size == (200, 50):  # the narrow layout shows fewer columns
        for piece in VISIBLE:
            assert piece in text, piece
    assert "RB-005" in text  # the runbook of RneBalanceLow was on screen
    assert "search (Enter" in text  # so was the timeline


def test_export_of_the_hostile_log_is_inert(hostile_log: tuple[Path, str]) -> None:
    log, _last = hostile_log
    run = run_in_pty([cockpit(), "export", str(log), "-o", "-"], settle_s=0.0, timeout_s=30)
    assert run.returncode == 0, run.output[-2000:]
    assert b"\x1b" not in run.output
    assert leaks(run.output) == []
    assert b"INC-1" in run.output or b"Post-mortem" in run.output


def test_alerts_named_with_markup_open_and_notify_as_text(tmp_path: Path) -> None:
    """Enter on alerts named `[/]`, `[link=...]` or with Markdown: a plain notification each,
    no crash, no style or link from the names."""
    log = tmp_path / "names.jsonl"
    last = write_hostile_names_log(log)
    rows = len(hostile_strings("alert_names"))
    keys = [(0.8, b"1"), *(((0.5, b"\r"), (0.2, b"\x1b[B")) * rows), (1.0, b"q"), (1.5, b"\x1b")]
    keys += [(1.0, b"q")]
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"}
    run = run_in_pty([cockpit(), "replay", str(log), "--at", last], env=env, keys=keys)
    text = CSI.sub(b"", run.output).decode("utf-8", "replace")
    assert run.returncode == 0, text[-2000:]
    assert "Traceback" not in text and "MarkupError" not in text
    assert leaks(run.output) == []
    assert "No runbook is mapped to" in text
    assert b"\x1b]8;" not in run.output  # no hyperlink from `[link=...]`
