"""Grafana links: templates filled with percent-encoded values, hostile ones included."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from cockpit.grafana import GrafanaLink, GrafanaTemplates, fill, link_for, template_problem

BASE = "https://grafana.example.internal"
DASH = "/d/api/latency?var-service={service}&var-ns={namespace}&from={from}&to={to}"
EXPLORE = ('/explore?schemaVersion=1&panes={"a":{"datasource":"prometheus",'
           '"queries":[{"refId":"A","expr":{expr_json}}]}}')  # fmt: skip
TEMPLATES = GrafanaTemplates(BASE, DASH, EXPLORE)


def test_labels_fill_the_dashboard_template() -> None:
    link = fill(DASH, BASE, {"service": "kyc-svc", "namespace": "kyc", "from": "1", "to": "2"})
    assert link.url == f"{BASE}/d/api/latency?var-service=kyc-svc&var-ns=kyc&from=1&to=2"
    assert link.missing == ()


@pytest.mark.parametrize(
    "hostile",
    [
        "a&var-ns=evil#frag",
        "../../admin?x=1",
        "[red]bold[/] `code` **md**",
        "\x1b]52;c;ZXZpbA==\x07\x1b[2J",
        "über café 東京 \u202etxt",
        "x y\n\tz%41\"'<>{}|\\^",
    ],
)
def test_every_value_is_encoded_whole(hostile: str) -> None:
    link = fill(DASH, BASE, {"service": hostile, "namespace": "kyc", "from": "1", "to": "2"})
    parts = urlsplit(link.url)
    assert parts.scheme == "https" and parts.netloc == "grafana.example.internal"
    assert parts.path == "/d/api/latency" and parts.fragment == ""
    query = parse_qs(parts.query, keep_blank_values=True)
    assert query["var-service"] == [hostile] and query["var-ns"] == ["kyc"]
    assert link.url.isascii() and link.url.isprintable() and " " not in link.url


def test_explore_takes_the_query_as_a_json_string() -> None:
    expr = 'sum(rate(http_requests_total{service="kyc-svc", code=~"5.."}[5m]))'
    link = fill(EXPLORE, BASE, {"expr": expr})
    panes = json.loads(parse_qs(urlsplit(link.url).query)["panes"][0])
    assert panes["a"]["queries"][0]["expr"] == expr
    assert "{" not in link.url and '"' not in link.url


def test_a_missing_value_is_left_empty_and_named() -> None:
    link = fill(DASH, BASE, {"service": "kyc-svc"})
    assert link.missing == ("namespace", "from", "to")
    assert "var-ns=&" in link.url


def test_link_for_prefers_explore_for_queries_and_says_when_unconfigured() -> None:
    values = {"expr": "up", "service": "s"}
    explore = link_for(TEMPLATES, values, prefer_explore=True)
    dashboard = link_for(TEMPLATES, values)
    assert isinstance(explore, GrafanaLink) and explore.template == EXPLORE
    assert isinstance(dashboard, GrafanaLink) and dashboard.template == DASH
    only = link_for(GrafanaTemplates(BASE, DASH, ""), values, prefer_explore=True)
    assert isinstance(only, GrafanaLink) and only.template == DASH
    none = link_for(GrafanaTemplates(), values)
    assert none == "no Grafana template configured: set [grafana] dashboard or explore"
    huge = link_for(TEMPLATES, {"service": "x" * 9000})
    assert isinstance(huge, str) and "at most 8000" in huge


@pytest.mark.parametrize(
    ("template", "base", "ok"),
    [
        (DASH, BASE, True),
        (EXPLORE, BASE, True),
        ("https://grafana.example/d/{uid}", "", True),
        ("https://{host}/d/x", "", False),
        ("https://grafana.example{port}/d", "", False),
        ("/d/x?v={{service}}", BASE, False),
        ("/d/x?v={service", BASE, False),
        ("/d/x?v={service-name}", BASE, False),
        ("/d/x", "", False),
        ("javascript:alert(1)", BASE, False),
    ],
)
def test_template_problems(template: str, base: str, ok: bool) -> None:
    assert (template_problem(template, base) is None) is ok


def test_literal_text_is_only_normalised() -> None:
    link = fill("/d/x?title=a b", BASE, {})
    assert link.url == f"{BASE}/d/x?title=a%20b" and unquote(link.url).endswith("a b")
