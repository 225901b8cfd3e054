"""`cockpit config check`: exit codes, one line per finding, the shipped example passes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.config import check_main
from cockpit.settings.lines import KeyLines

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"
DATA = Path(__file__).parent / "data" / "config"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def run_check(
    path: str | None,
    cwd: Path,
    *,
    strict: bool = False,
    environ: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = check_main(path, strict=strict, environ=environ or {}, cwd=cwd, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_example_is_valid_and_lists_environments(tmp_path: Path) -> None:
    environ = {"COCKPIT_PROD_PROMETHEUS_TOKEN": "t", "COCKPIT_PROD_PG_DSN": "host=db dbname=kyc"}
    code, out, err = run_check(str(EXAMPLE), tmp_path, environ=environ)
    assert (code, err) == (0, "")
    assert out == f"OK: {EXAMPLE}: environments: prod, staging (default)\n"


def test_a_dsn_libpq_would_refuse_is_named_without_its_value(tmp_path: Path) -> None:
    dsn = "host=db password=hunter22 dbname"
    environ = {"COCKPIT_PROD_PROMETHEUS_TOKEN": "t", "COCKPIT_PROD_PG_DSN": dsn}
    code, out, err = run_check(str(EXAMPLE), tmp_path, environ=environ)
    assert code == 0 and "1 warning(s)" in out
    assert (
        "environments.prod.postgres.dsn_env: environment variable COCKPIT_PROD_PG_DSN holds no "
        "valid connection string (missing \"=\" after keyword 'dbname')"
    ) in err
    assert "hunter22" not in out + err


def test_example_reports_unset_references_as_warnings(tmp_path: Path) -> None:
    code, out, err = run_check(str(EXAMPLE), tmp_path)
    assert code == 0
    assert "2 warning(s)" in out
    assert "environments.prod.postgres.dsn_env: environment variable COCKPIT_PROD_PG_DSN" in err
    assert run_check(str(EXAMPLE), tmp_path, strict=True)[0] == 1


def test_every_bad_file_exits_1_with_error_lines(tmp_path: Path) -> None:
    for path in sorted(DATA.glob("*.toml")):
        if path.name == "unknown_key.toml":
            continue
        code, out, err = run_check(str(path), tmp_path)
        assert code == 1, path.name
        assert out == ""
        lines = err.splitlines()
        assert lines, path.name
        assert all(line.startswith(("error: ", "warning: ")) for line in lines)
        assert any(line.startswith(f"error: {path}:") for line in lines), path.name


def test_unknown_keys_pass_unless_strict(tmp_path: Path) -> None:
    path = str(DATA / "unknown_key.toml")
    code, out, err = run_check(path, tmp_path)
    assert code == 0
    assert out.startswith(f"OK: {path}:") and "3 warning(s)" in out
    assert "warning: " in err and "(did you mean url?)" in err
    assert run_check(path, tmp_path, strict=True)[0] == 1


def test_warnings_still_show_next_to_errors(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[prometheus]\nulr = "http://x"\nurl = "x"\n')
    code, _, err = run_check(str(bad), tmp_path)
    assert code == 1
    assert err.splitlines()[0].endswith("unknown key [prometheus] ulr (did you mean url?); ignored")
    assert err.splitlines()[1].startswith(f"error: {bad}:3: prometheus.url: unreachable URL")


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, out, err = run_check("absent.toml", tmp_path)
    assert (code, out) == (2, "")
    assert err == "error: absent.toml: config file not found; check the path\n"


def test_no_file_anywhere_is_ok_with_defaults(tmp_path: Path) -> None:
    code, out, _ = run_check(None, tmp_path)
    assert code == 0
    assert "no config file found" in out and "built-in defaults" in out


def test_search_order_is_used_without_a_path(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[ui]\ntheme = "x"\n')
    code, out, _ = run_check(None, tmp_path)
    assert code == 0
    assert out.startswith(f"OK: {tmp_path / 'cockpit.toml'}:")


def cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args],
        cwd="/tmp",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_checks_the_example_from_tmp(tmp_path: Path) -> None:
    result = cli(["config", "check", str(EXAMPLE)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {EXAMPLE}: environments: prod, staging (default)")
    flag = cli(["--config", str(EXAMPLE), "config", "check"], tmp_path)
    assert flag.returncode == 0, flag.stderr


def test_cli_bad_file_has_no_traceback(tmp_path: Path) -> None:
    result = cli(["config", "check", str(DATA / "syntax_error.toml")], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(
        "syntax_error.toml:3: TOML syntax error: Invalid value (column 19)"
    )


def test_key_lines_scan_handles_toml_shapes() -> None:
    text = (
        "top = 1\n"
        "[a]\n"
        'b.c = "x"\n'
        "s = '''\n"
        "fake = 1\n"
        "'''\n"
        '[ "quoted" . inner ]\n'
        '"key with space" = 2\n'
        "[[arr]]\n"
        "x = 1\n"
        "[a.sub]\n"
        "t = { u = 1 }\n"
    )
    lines = KeyLines(text)
    assert lines.line_of(("top",)) == 1
    assert lines.line_of(("a", "b", "c")) == 3
    assert lines.line_of(("a", "fake")) == 2  # inside a multi-line string: not a key
    assert lines.line_of(("quoted", "inner", "key with space")) == 8
    assert lines.line_of(("arr", "x")) == 10
    assert lines.line_of(("a", "sub", "t", "u")) == 12
    assert lines.line_of(("nowhere",)) is None


def test_example_documents_every_key() -> None:
    """Each key of every table appears in config.example.toml (set or commented out)."""
    from cockpit.config import ConfigFile, EnvironmentSettings
    from cockpit.settings.lite import Table

    text = EXAMPLE.read_text()
    missing = []
    for table, info in ConfigFile.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, Table):
            for key in model.model_fields:
                if f"\n# {key} =" not in text and f"\n{key} =" not in text:
                    missing.append(f"{table}.{key}")
        elif f"\n{table} =" not in text and table != "environments":
            missing.append(table)
    for key in ("read_only", "production", "color"):
        if f"#   {key}" not in text:
            missing.append(f"environments.NAME.{key}")
    assert EnvironmentSettings.model_fields.keys() >= {"read_only", "production", "color"}
    assert missing == []
