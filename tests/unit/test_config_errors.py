"""Bad config input: one clear line each, naming file, line, key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError, ConfigUnreadable, load_settings

DATA = Path(__file__).parent / "data" / "config"

# (file, line, key, text the message must contain)
BAD_FILES = [
    ("syntax_error.toml", 3, None, "TOML syntax error: Invalid value (column 19)"),
    ("wrong_type.toml", 3, "ui.refresh_seconds", "expected a number, got a string"),
    ("refresh_zero.toml", 2, "ui.refresh_seconds", "must be greater than 0, got 0"),
    ("url_no_scheme.toml", 3, "alertmanager.url", "unreachable URL format"),
    ("url_no_host.toml", 2, "prometheus.url", "unreachable URL format 'http:///api'"),
    ("literal_token.toml", 6, "pagerduty.token", 'token_env = "VAR"'),
    ("dsn_password.toml", 3, "postgres.dsn", "password in dsn"),
    ("dsn_keyword_password.toml", 2, "postgres.dsn", "PGPASSFILE"),
    ("header_credential.toml", 4, "prometheus.headers", "headers_env"),
    ("both_refs.toml", 4, "prometheus.bearer_token_file", "set only one of"),
    ("secret_in_env_name.toml", 2, "pagerduty.token_env", "not the secret itself"),
    ("default_env_missing.toml", 1, "default_environment", "no [environments.prd]"),
    ("bad_role.toml", 3, "user.role", "expected 'responder' or 'viewer'"),
    ("env_wrong_type.toml", 3, "environments.prod.prometheus.verify_tls", "true or false"),
    ("bad_namespace.toml", 2, "kubernetes.namespace", "not a Kubernetes namespace name"),
]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COCKPIT_CONFIG", raising=False)
    monkeypatch.delenv("COCKPIT_ENV", raising=False)


@pytest.mark.parametrize(("name", "line", "key", "text"), BAD_FILES)
def test_bad_file_gives_one_line_with_file_line_and_key(
    name: str, line: int, key: str | None, text: str
) -> None:
    path = str(DATA / name)
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    error = err.value
    assert (error.file, error.line, error.key) == (path, line, key)
    assert text in error.message
    rendered = str(error)
    assert "\n" not in rendered
    expected_prefix = f"{path}:{line}: {key}: " if key else f"{path}:{line}: "
    assert rendered.startswith(expected_prefix)


def test_secrets_are_never_echoed_in_messages(tmp_path: Path) -> None:
    for name in ("dsn_password.toml", "dsn_keyword_password.toml", "literal_token.toml"):
        with pytest.raises(ConfigError) as err:
            load_settings(str(DATA / name), environ={})
        assert "hunter2" not in str(err.value)
        assert "abcdefghijk" not in str(err.value)
    path = tmp_path / "c.toml"
    path.write_text('[prometheus]\nurl = "https://admin:hunter2@prom.internal"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(str(path), environ={})
    assert "password inside the URL" in str(err.value)
    assert "hunter2" not in str(err.value)
    path.write_text('[prometheus]\nurl = "admin:hunter2@prom.internal"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(str(path), environ={})
    assert "hunter2" not in str(err.value)


def test_literal_secrets_are_refused_anywhere_including_environments(tmp_path: Path) -> None:
    text = (
        '[environments.prod.prometheus]\nurl = "https://p.internal"\nbearer_token = "x"\n\n'
        '[alertmanager]\napi_key = "k"\n\n[postgres]\npassword = "p"\n'
    )
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(str(path), environ={})
    found = [(e.line, e.key) for e in err.value.all]
    assert found == [
        (3, "environments.prod.prometheus.bearer_token"),
        (6, "alertmanager.api_key"),
        (9, "postgres.password"),
    ]
    assert "bearer_token_env" in err.value.all[0].message
    assert "PGPASSFILE" in err.value.all[2].message


def test_every_problem_is_collected_in_order(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[ui]\nrefresh_seconds = -1\ntheme = 3\n[user]\nrole = "root"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(str(path), environ={})
    assert [(e.line, e.key) for e in err.value.all] == [
        (2, "ui.refresh_seconds"),
        (3, "ui.theme"),
        (5, "user.role"),
    ]


def test_unknown_keys_warn_with_suggestion_and_still_load() -> None:
    settings = load_settings(str(DATA / "unknown_key.toml"), environ={})
    assert settings.active.prometheus.url is None
    assert len(settings.warnings) == 3
    assert settings.warnings[0].endswith(
        "unknown_key.toml:3: unknown key [prometheus] ulr (did you mean url?); ignored"
    )
    assert "refresh_secs (did you mean refresh_seconds?)" in settings.warnings[1]
    assert settings.warnings[2].endswith(":7: unknown key [ui] colour; ignored")


def test_unknown_top_level_table_and_env_key_warn(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[promethus]\nurl = 1\n\n[environments.prod]\nread_onyl = true\n")
    settings = load_settings(str(path), environ={})
    assert "unknown key promethus (did you mean prometheus?)" in settings.warnings[0]
    assert (
        ":5: unknown key [environments.prod] read_onyl (did you mean read_only?)"
        in (settings.warnings[1])
    )


def test_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"[ui]\ntheme = \xff\xfe\n")
    with pytest.raises(ConfigUnreadable, match="not UTF-8 text"):
        load_settings(str(binary), environ={})
    with pytest.raises(ConfigUnreadable, match="is a directory"):
        load_settings(str(tmp_path), environ={})


def test_wrong_shapes_are_type_errors_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    cases = {
        'prometheus = "http://x"\n': ("prometheus", "expected a table, got a string"),
        "[runbooks]\npaths = 3\n": ("runbooks.paths", "expected a list"),
        "[sources]\nintervals = { kafka = 3.0 }\n": ("sources.intervals.kafka", "expected"),
        "[environments.prod]\ncolor = 'blink!'\n": ("environments.prod.color", "not a colour"),
        "[environments.'bad name']\n": ("environments.bad name", "expected letters"),
    }
    for text, (key, message) in cases.items():
        path.write_text(text)
        with pytest.raises(ConfigError) as err:
            load_settings(str(path), environ={})
        assert err.value.key == key, text
        assert message in err.value.message, text


def test_escape_sequences_from_the_file_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[ui]\n"evil\\u001b[2Jkey" = 1\ntheme = "\\u001b]0;x\\u0007"\n'
        '[user]\nrole = "\\u001b[31m"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_settings(str(path), environ={})
    assert "\x1b" not in str(err.value)
    assert "\x1b" not in "".join(str(w) for w in err.value.warnings)
    assert "unknown key [ui] evilkey" in str(err.value.warnings[0])
