"""`[incident] store` keys: validated by `cockpit config check`, the DSN held as a Secret."""

from __future__ import annotations

import io
from pathlib import Path

from cockpit.config import load_settings
from cockpit.settings.check import check_main
from cockpit.settings.secrets import Secret


def _check(tmp_path: Path, body: str, environ: dict[str, str]) -> tuple[int, str]:
    path = tmp_path / "cockpit.toml"
    path.write_text(body, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = check_main(str(path), environ=environ, cwd=tmp_path, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_postgres_store_without_a_dsn_is_refused(tmp_path: Path) -> None:
    code, said = _check(tmp_path, '[incident]\nstore = "postgres"\n', {})
    assert code == 1 and "store_dsn_env or store_dsn_file" in said


def test_both_dsn_references_are_refused(tmp_path: Path) -> None:
    body = '[incident]\nstore = "postgres"\nstore_dsn_env = "A"\nstore_dsn_file = "/x"\n'
    code, said = _check(tmp_path, body, {"A": "host=db"})
    assert code == 1 and "store_dsn" in said


def test_unset_variable_is_a_warning_and_a_bad_dsn_is_named_without_its_value(
    tmp_path: Path,
) -> None:
    body = '[incident]\nstore = "postgres"\nstore_dsn_env = "STORE_DSN"\n'
    code, said = _check(tmp_path, body, {})
    assert code == 0 and "STORE_DSN is not set" in said
    code, said = _check(tmp_path, body, {"STORE_DSN": "host=db password=hunter2 bogus"})
    assert "holds no valid connection string" in said and "hunter2" not in said


def test_the_dsn_is_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "cockpit.toml"
    path.write_text('[incident]\nstore = "postgres"\nstore_dsn_env = "STORE_DSN"\n')
    settings = load_settings(str(path), environ={"STORE_DSN": "host=db user=x"})
    dsn = settings.incident.store_dsn({"STORE_DSN": "host=db user=x"})
    assert isinstance(dsn, Secret) and dsn.reveal() == "host=db user=x"
    assert "host=db" not in repr(dsn) and "host=db" not in str(dsn)
