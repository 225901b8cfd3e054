"""`cockpit runbooks list|show` output, on the shipped runbooks and on hostile files."""

from __future__ import annotations

from pathlib import Path

from cockpit.runbook.cli import list_main, show_main

BAD = Path(__file__).parent / "data" / "runbooks_bad"


def test_list_shows_every_runbook(capsys) -> None:
    assert list_main() == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["ID", "SEV", "STEPS", "TITLE"]
    assert [line.split()[0] for line in out[1:]] == [f"RB-{n:03d}" for n in range(1, 11)]
    assert "PostgresConnectionsExhausted" in "\n".join(out)


def test_list_reports_refused_files(capsys) -> None:
    assert list_main([BAD]) == 1
    captured = capsys.readouterr()
    assert "RB-911" in captured.out
    assert "[mitigate-needs-confirm]" in captured.err


def test_show_prints_steps_with_safety_flags(capsys) -> None:
    assert show_main("rb-004") == 0
    out = capsys.readouterr().out
    assert out.startswith("RB-004  PostgreSQL connections exhausted  (SEV-2)")
    head = "[kill-idle] Terminate sessions idle in a transaction"
    assert f"{head}  (sql, mitigate, confirm typed, DANGER)" in out
    assert "pg_terminate_backend(pid)" in out
    assert "idle_minutes (int) from operator, default 5" in out


def test_show_forbidden_step(capsys) -> None:
    assert show_main("RB-990", [Path(__file__).parent.parent / "data" / "runbooks"]) == 0
    assert "FORBIDDEN here: CTO approval" in capsys.readouterr().out


def test_show_two_person_step(capsys) -> None:
    assert show_main("RB-003") == 0
    out = capsys.readouterr().out
    assert "[purge-topic]" in out and "two-person rule, approver: CTO" in out


def test_show_unknown_id(capsys) -> None:
    assert show_main("RB-404") == 1
    assert "no runbook 'RB-404'" in capsys.readouterr().err


def test_show_strips_escape_sequences(tmp_path: Path, capsys) -> None:
    text = (BAD / "duplicate_id_1.md").read_text().replace("Prose only", "\x1b]0;owned\x07Prose")
    (tmp_path / "rb.md").write_text(text)
    assert show_main("RB-911", [tmp_path]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "Prose, first file" in out


def _config(tmp_path: Path, runbook_dir: Path) -> Path:
    config = tmp_path / "cockpit.toml"
    config.write_text(f'[runbooks]\npaths = ["{runbook_dir}"]\n')
    return config


def test_validate_without_dir_checks_the_configured_paths(tmp_path: Path, capsys) -> None:
    from cockpit.cli import main

    extra = tmp_path / "ours"
    extra.mkdir()
    bad = (BAD / "sql_side_effect.md").read_text()
    (extra / "RB-930-kill.md").write_text(bad)
    assert main(["--config", str(_config(tmp_path, extra)), "runbooks", "validate"]) == 1
    captured = capsys.readouterr()
    (line,) = captured.out.splitlines()
    assert line.endswith(
        "RB-930-kill.md:19: [sql-side-effect] diagnose step 'kill' calls pg_terminate_backend(), "
        "which kills another session; a read-only transaction does not stop that: put it in a "
        "role=mitigate step with a confirmation"
    )
    assert "10 runbook(s) valid, 1 file(s) refused" in captured.err
    # The same folder, fixed: every shipped runbook plus ours are valid.
    (extra / "RB-930-kill.md").write_text(bad.replace("pg_catalog.PG_TERMINATE_BACKEND", "abs"))
    assert main(["runbooks", "validate", "--config", str(tmp_path / "cockpit.toml")]) == 0
    assert "11 runbook(s) valid, 0 file(s) refused" in capsys.readouterr().err


def test_validate_refuses_to_pass_on_an_unreadable_config(tmp_path: Path, capsys) -> None:
    from cockpit.cli import main

    broken = tmp_path / "broken.toml"
    broken.write_text("[runbooks\n")
    assert main(["--config", str(broken), "runbooks", "validate"]) == 2
    assert "broken.toml" in capsys.readouterr().err
    missing = _config(tmp_path, tmp_path / "absent")
    assert main(["--config", str(missing), "runbooks", "validate"]) == 2
    assert "cannot read runbook directory" in capsys.readouterr().err
