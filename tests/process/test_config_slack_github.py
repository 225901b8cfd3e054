"""`cockpit config check` on `[slack]` and `[github]`: one clear error per problem, file:line."""

from __future__ import annotations

import io
from pathlib import Path

from cockpit.config import check_main

GOOD = """
[slack]
enabled = true
token_env = "SLACK_TOKEN"
incidents_channel = "#incidents"

[slack.people]
ana = "U0ANA0001"

[github]
enabled = true
base_url = "https://ghe.example.com/api/v3"
repository = "acme/incidents"
token_file = "gh-token"
labels = ["sre"]
"""


def check(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "cockpit.toml"
    path.write_text(text)
    (tmp_path / "gh-token").write_text("ghp-x\n")
    out, err = io.StringIO(), io.StringIO()
    code = check_main(str(path), environ={"SLACK_TOKEN": "xoxb-1"}, cwd=tmp_path, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_valid_tables_pass(tmp_path: Path) -> None:
    code, output = check(tmp_path, GOOD)
    assert code == 0, output
    assert "warning" not in output


def test_enabled_without_token_names_the_line_and_the_fix(tmp_path: Path) -> None:
    code, output = check(tmp_path, "\n[slack]\nenabled = true\n")
    assert code == 1
    assert "cockpit.toml:3" in output and "token_env or token_file" in output


def test_bad_values_each_get_an_error(tmp_path: Path) -> None:
    text = (GOOD.replace('"#incidents"', '"Incidents Room"')
            .replace('"U0ANA0001"', '"ana@example.com"')
            .replace('"acme/incidents"', '"acme"')
            .replace('token_env = "SLACK_TOKEN"', 'token_env = "xoxb-123-secret"'))  # fmt: skip
    code, output = check(tmp_path, text)
    assert code == 1
    assert "not a Slack channel name" in output and "cockpit.toml:5" in output
    assert "not a Slack member id" in output and "cockpit.toml:8" in output
    assert "owner/name" in output and "cockpit.toml:13" in output
    assert "not the secret itself" in output and "xoxb-123-secret" not in output


def test_github_enabled_without_repository(tmp_path: Path) -> None:
    code, output = check(tmp_path, '[github]\nenabled = true\ntoken_env = "GH"\n')
    assert code == 1 and 'repository = "owner/name"' in output and "cockpit.toml:2" in output


def test_missing_token_variable_is_a_warning(tmp_path: Path) -> None:
    code, output = check(tmp_path, GOOD.replace("SLACK_TOKEN", "NOT_SET_HERE"))
    assert code == 0 and "NOT_SET_HERE is not set here" in output
