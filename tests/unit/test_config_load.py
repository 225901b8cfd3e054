"""Loading order, environments, defaults and secret references of cockpit.config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cockpit.config import (
    ConfigError,
    ConfigUnreadable,
    config_search_paths,
    load_settings,
    resolve_secret,
    user_config_file,
)
from cockpit.settings.secrets import Secret


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never read the real user's config or environment choice."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COCKPIT_CONFIG", raising=False)
    monkeypatch.delenv("COCKPIT_ENV", raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def theme_file(path: Path, theme: str) -> Path:
    return write(path, f'[ui]\ntheme = "{theme}"\n')


def test_no_config_anywhere_gives_builtin_defaults(tmp_path: Path) -> None:
    settings = load_settings(environ={"USER": "alice"}, cwd=tmp_path)
    assert settings.source is None
    assert settings.ui.refresh_seconds == 2.0
    assert settings.active.name == "default"
    assert settings.active.prometheus.url is None
    assert settings.active.postgres.statement_timeout_ms == 3000
    assert settings.active.postgres.connect_timeout_seconds == 3.0
    assert settings.active.postgres.application_name == "cockpit"
    assert settings.active.kubernetes.timeout_seconds == 5.0
    assert settings.pagerduty.api_url == "https://api.pagerduty.com"
    assert settings.incident.log_dir.parts[-2:] == ("cockpit", "logs")
    assert settings.author.startswith("alice@")
    assert settings.mutations_allowed
    assert settings.warnings == ()


def test_search_order_lists_env_then_cwd_then_user_dir(tmp_path: Path) -> None:
    paths = config_search_paths({"COCKPIT_CONFIG": "custom.toml"}, tmp_path)
    assert paths == [
        tmp_path / "custom.toml",
        tmp_path / "cockpit.toml",
        tmp_path / "xdg" / "cockpit" / "config.toml",
    ]
    assert config_search_paths({}, tmp_path)[0] == tmp_path / "cockpit.toml"
    assert user_config_file() == tmp_path / "xdg" / "cockpit" / "config.toml"


def test_loading_order_each_step_wins_over_the_next(tmp_path: Path) -> None:
    explicit = theme_file(tmp_path / "explicit.toml", "from-flag")
    named = theme_file(tmp_path / "named.toml", "from-env")
    local = theme_file(tmp_path / "cockpit.toml", "from-cwd")
    user = theme_file(tmp_path / "xdg" / "cockpit" / "config.toml", "from-user-dir")
    environ = {"COCKPIT_CONFIG": str(named)}

    assert load_settings(str(explicit), environ=environ, cwd=tmp_path).ui.theme == "from-flag"
    assert load_settings(environ=environ, cwd=tmp_path).ui.theme == "from-env"
    assert load_settings(environ={}, cwd=tmp_path).ui.theme == "from-cwd"
    local.unlink()
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.ui.theme == "from-user-dir"
    assert settings.source == user
    user.unlink()
    assert load_settings(environ={}, cwd=tmp_path).source is None


def test_relative_config_path_follows_cwd(tmp_path: Path) -> None:
    theme_file(tmp_path / "conf" / "a.toml", "rel")
    settings = load_settings("conf/a.toml", environ={}, cwd=tmp_path)
    assert settings.ui.theme == "rel"
    assert settings.source == tmp_path / "conf" / "a.toml"


def test_missing_files_named_explicitly_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable) as flag:
        load_settings("nope.toml", environ={}, cwd=tmp_path)
    assert str(flag.value) == "nope.toml: config file not found; check the path"
    # A $COCKPIT_CONFIG pointing nowhere is not skipped for ./cockpit.toml.
    theme_file(tmp_path / "cockpit.toml", "from-cwd")
    with pytest.raises(ConfigUnreadable, match=r"named by \$COCKPIT_CONFIG"):
        load_settings(environ={"COCKPIT_CONFIG": "gone.toml"}, cwd=tmp_path)


ENVS = """
default_environment = "staging"

[prometheus]
url = "http://127.0.0.1:9090"
timeout_seconds = 4.0
headers = { "X-Scope-OrgID" = "base" }

[postgres]
dsn = "postgresql://cockpit@127.0.0.1/postgres"
statement_timeout_ms = 2000

[environments.staging]
color = "yellow"

[environments.staging.prometheus]
url = "https://prom.staging.internal"

[environments.prod]
read_only = true

[environments.prod.postgres]
dsn_env = "PROD_DSN"

[environments.lab]
production = true
color = "#ff00ff"
"""


def test_environment_choice_order(tmp_path: Path) -> None:
    path = str(write(tmp_path / "c.toml", ENVS))
    assert load_settings(path, environ={}).active.name == "staging"
    assert load_settings(path, environ={"COCKPIT_ENV": "prod"}).active.name == "prod"
    chosen = load_settings(path, env_name="lab", environ={"COCKPIT_ENV": "prod"})
    assert chosen.active.name == "lab"


def test_environment_overrides_key_by_key(tmp_path: Path) -> None:
    path = str(write(tmp_path / "c.toml", ENVS))
    staging = load_settings(path, environ={}).active
    assert staging.prometheus.url == "https://prom.staging.internal"
    assert staging.prometheus.timeout_seconds == 4.0
    assert staging.prometheus.headers == {"X-Scope-OrgID": "base"}
    assert (staging.production, staging.color, staging.read_only) == (False, "yellow", False)

    prod = load_settings(path, env_name="prod", environ={})
    # Choosing dsn_env in the environment drops the inherited literal dsn.
    assert prod.active.postgres.dsn is None
    assert prod.active.postgres.dsn_env == "PROD_DSN"
    assert prod.active.postgres.statement_timeout_ms == 2000
    assert prod.active.prometheus.url == "http://127.0.0.1:9090"
    assert (prod.active.production, prod.active.color, prod.active.read_only) == (
        True,
        "red",
        True,
    )
    assert not prod.mutations_allowed

    lab = load_settings(path, env_name="lab", environ={}).active
    assert (lab.production, lab.color) == (True, "#ff00ff")


def test_unknown_environment_suggests_the_closest(tmp_path: Path) -> None:
    path = str(write(tmp_path / "c.toml", ENVS))
    with pytest.raises(ConfigError) as err:
        load_settings(path, env_name="prd", environ={})
    assert "unknown environment 'prd' (did you mean prod?)" in str(err.value)
    assert "known: lab, prod, staging" in str(err.value)


def test_environments_without_default_use_top_level_and_warn(tmp_path: Path) -> None:
    text = ENVS.replace('default_environment = "staging"', "")
    settings = load_settings(str(write(tmp_path / "c.toml", text)), environ={})
    assert settings.active.name == "default"
    assert settings.active.prometheus.url == "http://127.0.0.1:9090"
    assert len(settings.warnings) == 1
    assert "none is chosen" in settings.warnings[0]


def test_viewer_never_mutates_and_author_override(tmp_path: Path) -> None:
    text = '[user]\nrole = "viewer"\n\n[incident]\nauthor = "night-shift"\n'
    settings = load_settings(str(write(tmp_path / "c.toml", text)), environ={"USER": "bob"})
    assert not settings.mutations_allowed
    assert settings.author == "night-shift"


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    text = (
        '[incident]\nlog_dir = "logs"\n[runbooks]\npaths = ["rb", "~/extra"]\n'
        '[prometheus]\nurl = "https://p.internal"\nca_file = "ca.pem"\n'
    )
    settings = load_settings(str(write(tmp_path / "etc" / "c.toml", text)), environ={})
    assert settings.incident.log_dir == tmp_path / "etc" / "logs"
    assert settings.runbooks.paths[0] == tmp_path / "etc" / "rb"
    assert settings.runbooks.paths[1] == Path("~/extra").expanduser()
    assert settings.active.prometheus.ca_file == tmp_path / "etc" / "ca.pem"


def test_poll_intervals_merge_with_builtin_defaults(tmp_path: Path) -> None:
    text = "[ui]\nrefresh_seconds = 1.5\n[sources]\nintervals = { postgres = 5.0 }\n"
    settings = load_settings(str(write(tmp_path / "c.toml", text)), environ={})
    assert settings.poll_interval("postgres") == 5.0
    assert settings.poll_interval("pagerduty") == 30.0
    assert settings.poll_interval("prometheus") == 1.5


def test_resolve_secret_from_env_and_file(tmp_path: Path) -> None:
    secret = write(tmp_path / "token", "s3cr3t\n")
    assert resolve_secret("PD_TOKEN", None, environ={"PD_TOKEN": "abc"}) == "abc"
    assert resolve_secret(None, str(secret), environ={}) == "s3cr3t"
    assert resolve_secret(None, None, environ={}) is None


def test_resolve_secret_errors_name_the_variable_or_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="environment variable PD_TOKEN is not set"):
        resolve_secret("PD_TOKEN", None, environ={})
    with pytest.raises(ConfigError, match=r"secret file .*missing\.txt is unreadable"):
        resolve_secret(None, str(tmp_path / "missing.txt"), environ={})
    with pytest.raises(ConfigError, match="is empty"):
        resolve_secret(None, str(write(tmp_path / "empty", "\n")), environ={})
    with pytest.raises(ConfigError, match="not both"):
        resolve_secret("A", "b", environ={"A": "x"})


def test_transport_headers_and_dsn_resolve_by_reference(tmp_path: Path) -> None:
    write(tmp_path / "token", "tok\n")
    write(tmp_path / "dsn", "postgresql://u:pw@db/app\n")
    text = (
        '[prometheus]\nurl = "https://mimir.internal"\nbearer_token_file = "token"\n'
        'headers = { "X-Scope-OrgID" = "t1" }\nheaders_env = { "X-Extra-Auth" = "EXTRA" }\n'
        '[postgres]\ndsn_file = "dsn"\nconnect_timeout_seconds = 3.0\n'
    )
    settings = load_settings(str(write(tmp_path / "c.toml", text)), environ={})
    headers = settings.active.prometheus.resolved_headers({"EXTRA": "e"})
    plain = {k: v.reveal() if isinstance(v, Secret) else v for k, v in headers.items()}
    assert plain == {"X-Scope-OrgID": "t1", "X-Extra-Auth": "e", "Authorization": "Bearer tok"}
    # Credentials are held as Secrets: they never print.
    assert "tok" not in repr(headers) and "'e'" not in repr(headers)
    assert settings.active.postgres.conninfo({}) == "postgresql://u:pw@db/app"
    kwargs = settings.active.postgres.connect_kwargs()
    assert kwargs == {
        "connect_timeout": 3,
        "application_name": "cockpit",
        "options": "-c statement_timeout=3000",
    }


def test_the_default_author_falls_back_to_the_account_without_login_variables() -> None:
    """tmux, cron and some sudo set-ups start without USER: the author is still the account."""
    import pwd

    from cockpit.settings.load import default_author

    account = pwd.getpwuid(os.getuid()).pw_name
    assert default_author({}).startswith(f"{account}@")
    assert default_author({"USER": "ana"}).startswith("ana@")
