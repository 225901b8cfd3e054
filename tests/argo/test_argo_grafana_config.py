"""`cockpit config check` on [argocd] and [grafana]: every mistake is named with its line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cockpit.config import load_settings
from cockpit.settings.check import check_main
from cockpit.step_wiring import argo_target

GOOD = """
[argocd]
base_url = "https://argocd.example.internal"
token_env = "ARGOCD_TOKEN"
timeout_seconds = 4.0

[argocd.applications.kyc-svc]
namespace = "kyc"
deployment = "kyc-svc"

[grafana]
base_url = "https://grafana.example.internal"
dashboard = "/d/api/latency?var-service={service}&from={from}&to={to}"
explore = '/explore?panes={"a":{"queries":[{"expr":{expr_json}}]}}'
"""


def _check(tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "cockpit.toml"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    code = check_main(str(path), environ={"ARGOCD_TOKEN": "t0ken-value"}, cwd=tmp_path,
                      out=out, err=err)  # fmt: skip
    return code, out.getvalue(), err.getvalue()


def test_a_complete_config_is_ok_and_wires_the_step_targets(tmp_path: Path) -> None:
    code, out, err = _check(tmp_path, GOOD)
    assert code == 0 and out.startswith("OK") and err == "", err
    (tmp_path / "cockpit.toml").write_text(GOOD)
    settings = load_settings(str(tmp_path / "cockpit.toml"), environ={"ARGOCD_TOKEN": "t0ken-v"})
    argo = argo_target(settings, {"ARGOCD_TOKEN": "t0ken-v"})
    assert argo is not None and argo.server == "argocd.example.internal"
    assert argo.owner_of("kyc", "kyc-svc") == "kyc-svc" and argo.owner_of("kyc", "x") is None
    assert "t0ken-v" not in repr(argo) and argo.timeout_s == 4.0
    unset = argo_target(settings, {})
    assert unset is not None and "ARGOCD_TOKEN" in unset.problem


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[argocd]\nbase_url = "https://a.example"\n', 1, "needs an API token"),
        ('[argocd.applications.app]\nnamespace = "kyc"\ndeployment = "x"\n', 1, "no base_url"),
        ('[argocd]\ntoken = "abc"\n', 2, "a secret cannot be written"),
        ('[argocd]\nbase_url = "https://a.example"\ntoken_env = "T"\n'
         '[argocd.applications.a]\nnamespace = "kyc"\ndeployment = "svc"\n'
         '[argocd.applications.b]\nnamespace = "kyc"\ndeployment = "svc"\n', 9,
         "claimed by applications a and b"),
        ('[argocd]\nbase_url = "https://a.example"\ntoken_env = "T"\n'
         '[argocd.applications.a]\nnamespace = "Bad_NS"\ndeployment = "svc"\n', 5,
         "not a Kubernetes name"),
        ('[grafana]\nbase_url = "https://g.example"\ndashboard = "/d/x?s={{service}}"\n', 3,
         "malformed placeholder"),
        ('[grafana]\nbase_url = "https://g.example"\ndashboard = "/d/x?s={ service }"\n', 3,
         "malformed placeholder"),
        ('[grafana]\nbase_url = "https://g.example"\nexplore = "/explore?x={expr"\n', 3,
         "malformed placeholder"),
        ('[grafana]\ndashboard = "https://{host}/d/x"\n', 2, "may not stand in the scheme or host"),
        ('[grafana]\ndashboard = "/d/x?var-service={service}"\n', 2, "needs [grafana] base_url"),
        ('[grafana]\nexplore = "grafana.example/explore"\n', 2, "http(s):// URL"),
    ],
)  # fmt: skip
def test_mistakes_are_errors_naming_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    code, out, err = _check(tmp_path, text)
    assert code == 1 and out == ""
    assert words in err, err
    assert f"cockpit.toml:{line}:" in err, err
