"""Shell completion: the bash script completes subcommands, options and runbook ids for real."""

from __future__ import annotations

import shutil
import subprocess
import sys

from cockpit.cli import _build_parser
from cockpit.completion import fish_script, walk, zsh_script


def _bash_complete(script: str, words: list[str]) -> list[str]:
    """Run the generated bash function for `words` (the last one is being typed)."""
    line = " ".join(words)
    program = (
        f"{script}\n"
        f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _cockpit; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


def _script(shell: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_bash_completes_subcommands_options_and_runbook_ids() -> None:
    assert shutil.which("cockpit"), "the cockpit command must be installed for completion"
    script = _script("bash")
    assert "verify" in _bash_complete(script, ["cockpit", "ve"])
    assert _bash_complete(script, ["cockpit", "runbooks", ""]) == ["list", "show", "validate"]
    assert "--speed" in _bash_complete(script, ["cockpit", "replay", "--sp"])
    ids = _bash_complete(script, ["cockpit", "runbooks", "show", "RB-00"])
    assert "RB-001" in ids and "RB-004" in ids


def test_every_subcommand_appears_in_zsh_and_fish_scripts() -> None:
    commands = list(walk(_build_parser()))
    top = next(c for c in commands if not c.path)
    assert {"demo", "replay", "verify", "export", "runbooks", "completion"} <= set(top.children)
    fish, zsh = fish_script(commands), zsh_script(commands)
    for name in top.children:
        assert f"-a {name}" in fish
        assert name in zsh
    assert "cockpit completion --list runbooks" in fish
    assert zsh.startswith("#compdef cockpit")


def test_environment_names_come_from_the_config(tmp_path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[environments.prod]\nproduction = true\n[environments.stage]\n")
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "completion", "--list", "envs", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["prod", "stage"]
