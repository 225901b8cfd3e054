"""Bad input: tampered, unreadable and empty logs, broken templates, hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_logs import AUTHOR, T0, LogWriter, incident_log

from cockpit.cli import main
from cockpit.clock import FrozenClock
from cockpit.export.run import ExportError, export_markdown
from cockpit.log import events as ev


def _tamper(log: Path) -> None:
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    obj = json.loads(lines[9])
    obj["data"]["text"] = "rewritten after the fact"
    lines[9] = json.dumps(obj) + "\n"
    log.write_text("".join(lines), encoding="utf-8")


def test_tampered_log_exports_with_a_warning_on_top_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = incident_log(tmp_path / "i.jsonl")
    _tamper(log)
    out = tmp_path / "pm.md"
    assert main(["export", str(log), "-o", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert text.startswith("> **WARNING: the log failed verification: FAILED at seq 10 (line 10)")
    assert "# Post-mortem: KYC checks delayed" in text
    err = capsys.readouterr().err
    assert "warning: the log failed verification" in err and str(out) in err
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_unreadable_log_fails_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a log\n", encoding="utf-8")
    out = tmp_path / "pm.md"
    assert main(["export", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cockpit export:") and "not a readable incident log" in err
    assert "\n" not in err and not out.exists()
    assert main(["export", str(tmp_path / "missing.jsonl"), "-o", str(out)]) == 2


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    template = tmp_path / "broken.md.j2"
    template.write_text(
        "# {{ incident.title }}\n\n{% for x in timeline %}\n- {{ x.text }\n", "utf-8"
    )
    with pytest.raises(ExportError, match=r"broken\.md\.j2:4: template error"):
        export_markdown(incident_log(tmp_path / "i.jsonl"), template=str(template))


def test_template_runtime_error_names_file_and_line(tmp_path: Path) -> None:
    template = tmp_path / "typo.md.j2"
    template.write_text("# {{ incident.title }}\n\nLag: {{ impact.peak_lagg.value }}\n", "utf-8")
    with pytest.raises(ExportError, match=r"typo\.md\.j2:3: template error: .*peak_lagg"):
        export_markdown(incident_log(tmp_path / "i.jsonl"), template=str(template))


def test_unknown_template_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="known: incident-report, postmortem"):
        export_markdown(incident_log(tmp_path / "i.jsonl"), template="nope")


def test_user_template_directory_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "short.md.j2").write_text(
        "# {{ incident.title }}\n\nPeak lag {{ impact.peak_lag.value }}; "
        "{% include '_footer.md.j2' %}",
        "utf-8",
    )
    monkeypatch.setenv("COCKPIT_TEMPLATES", str(folder))
    log = incident_log(tmp_path / "i.jsonl")
    assert main(["export", str(log), "--template", "short", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# KYC checks delayed by consumer lag\n\nPeak lag 48 000; ")
    assert "68527547b8276789" in out or "final hash" in out


def test_hostile_text_is_cleaned_and_inert(tmp_path: Path) -> None:
    w = LogWriter(tmp_path / "h.jsonl", FrozenClock(T0))
    w.at(5).add(ev.IncidentDeclared("INC-1", "x\x1b]8;;http://evil\x07y", "SEV-3", actor=AUTHOR))
    w.at(6).add(
        ev.NoteAdded(
            "n1",
            "<script>alert(1)</script> [click](http://evil) | # not a heading\n- no",
            AUTHOR,
            ("action-item",),
        )
    )
    text = export_markdown(w.write()).markdown
    assert "\x1b" not in text and "\x07" not in text
    assert "# Post-mortem: xy (2025-03-12)" in text
    assert "\\<script\\>" in text and "<script>" not in text
    assert "\\[click\\](http://evil)" in text and "\\| \\# not a heading - no" in text
