"""The command line as a user meets it: version, help for every subcommand, honest stubs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cockpit import __version__
from cockpit.cli import main

SUBCOMMANDS = [
    [],
    ["demo"],
    ["replay"],
    ["verify"],
    ["record"],
    ["export"],
    ["runbooks"],
    ["runbooks", "list"],
    ["runbooks", "show"],
    ["runbooks", "validate"],
    ["config"],
    ["config", "check"],
]


def run_cli(*args: str, cwd: str = "/tmp") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_version_from_another_directory() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cockpit {__version__}"


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda w: " ".join(w) or "cockpit")
def test_every_subcommand_has_help(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*words, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cockpit")


def test_export_of_a_missing_log_names_it_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "no-such-log.jsonl"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no-such-log.jsonl" in err and "cannot open" in err
    assert "Traceback" not in err


def test_unknown_subcommand_is_a_usage_error() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--read-only", "--config", "c.toml"],
        ["--log", "demo"],  # a log file named like a subcommand: still live mode
        ["--config=c.toml", "demo", "--speed", "4"],
        ["--env", "prod", "replay", "x.jsonl", "--at", "T+01:00"],
        ["export", "x.jsonl", "--redact", "-o", "-"],
        ["log", "pull", "INC-1", "-o", "out.jsonl"],
        ["runbooks", "show", "RB-004"],
        ["--conf", "x", "demo"],  # an abbreviated option: parsed by the whole parser
    ],
)
def test_the_subcommand_alone_parses_like_the_whole_parser(argv: list[str]) -> None:
    from cockpit.cli import _build_parser, _parse

    whole = vars(_build_parser().parse_args(argv))
    alone = vars(_parse(argv))
    assert alone.pop("run").__name__ == whole.pop("run").__name__
    assert alone == whole


def test_an_error_is_told_by_the_whole_parser(capsys: pytest.CaptureFixture[str]) -> None:
    from cockpit.cli import _parse

    # `--conf demo` takes `demo` as its value: the subcommand `replay` comes after it, and the
    # error (an unknown option for `replay`) still names the real problem.
    with pytest.raises(SystemExit) as exit_info:
        _parse(["--conf", "demo", "replay", "--bogus"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
