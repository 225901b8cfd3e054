"""Alert sources normalise Alertmanager v2 and Prometheus v1 answers into one item shape."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hostile_corpus import load as load_corpus

from cockpit.sources.alertmanager import AlertmanagerAlerts
from cockpit.sources.prometheus_alerts import PrometheusAlerts

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ITEM_KEYS = {
    "key",
    "name",
    "labels",
    "annotations",
    "state",
    "active_since",
    "value",
    "silenced",
    "inhibited",
    "generator_url",
}


def hostile() -> list[str]:
    data = load_corpus()
    return [s for key, values in data.items() if key != "about" for s in values]


def am_alert(fp: str, state: str = "active", **extra: Any) -> dict[str, Any]:
    alert = {
        "fingerprint": fp,
        "labels": {
            "alertname": "KafkaConsumerLagHigh",
            "consumergroup": "ocr",
            "severity": "SEV-2",
        },
        "annotations": {"summary": "lag is high"},
        "startsAt": "2025-03-01T11:58:00.123456789Z",
        "endsAt": "2025-03-01T12:10:00Z",
        "updatedAt": "2025-03-01T11:59:00Z",
        "generatorURL": "http://prom:9090/graph?g0.expr=x",
        "receivers": [{"name": "null"}],
        "status": {"state": state, "silencedBy": [], "inhibitedBy": []},
    }
    alert.update(extra)
    return alert


async def poll(source_cls: Any, body: Any) -> Any:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    source = source_cls("http://am.test:9093", transport=httpx.MockTransport(handler))
    snap = await source.poll()
    await source.aclose()
    return snap, seen[0]


async def test_alertmanager_asks_for_every_alert_and_normalises() -> None:
    silenced = am_alert("bbb", "suppressed", status={"state": "suppressed", "silencedBy": ["s1"]})
    inhibited = am_alert(
        "ccc", "suppressed", status={"state": "suppressed", "inhibitedBy": ["aaa"]}
    )
    body = [am_alert("aaa"), silenced, inhibited, am_alert("ddd", "unprocessed")]
    snap, request = await poll(AlertmanagerAlerts, body)
    assert request.url.path == "/api/v2/alerts"
    assert dict(request.url.params) == {
        "active": "true",
        "silenced": "true",
        "inhibited": "true",
        "unprocessed": "true",
    }
    assert (snap.source, snap.kind, snap.warnings) == ("alertmanager", "alerts", ())
    by_key = {item["key"]: item for item in snap.items}
    assert set(by_key) == {"aaa", "bbb", "ccc", "ddd"}
    first = by_key["aaa"]
    assert set(first) == ITEM_KEYS
    assert first["name"] == "KafkaConsumerLagHigh"
    assert first["state"] == "firing"
    assert first["active_since"] == "2025-03-01T11:58:00.123456Z"
    assert first["value"] is None
    assert (first["silenced"], first["inhibited"]) == (False, False)
    assert (by_key["bbb"]["silenced"], by_key["bbb"]["inhibited"]) == (True, False)
    assert (by_key["ccc"]["silenced"], by_key["ccc"]["inhibited"]) == (False, True)
    assert all(item["state"] == "firing" for item in snap.items)
    json.dumps(list(snap.items))  # JSON-safe, as the log needs


async def test_alertmanager_survives_malformed_entries() -> None:
    body = [am_alert("aaa"), "junk", {"labels": "nope"}, am_alert("eee", startsAt="yesterday")]
    snap, _ = await poll(AlertmanagerAlerts, body)
    assert [i["key"] for i in snap.items] == ["aaa", "eee"]
    assert snap.items[1]["active_since"] is None
    assert "malformed alert ignored (x2)" in snap.warnings
    assert "startsAt: unreadable timestamp" in snap.warnings


@pytest.mark.parametrize("text", hostile())
async def test_hostile_strings_are_cleaned_everywhere(text: str) -> None:
    alert = am_alert("fff")
    alert["labels"] = {"alertname": text, text: text, "tenant": text}
    alert["annotations"] = {"description": text, text: "x"}
    alert["generatorURL"] = text
    snap, _ = await poll(AlertmanagerAlerts, [alert])
    flat = json.dumps(list(snap.items), ensure_ascii=False)
    assert not UNSAFE.search(flat)
    assert "\x1b" not in flat
    item = snap.items[0]
    assert len(item["labels"]["tenant"]) <= 1024
    assert "\n" not in item["labels"]["tenant"]


def prom_alert(state: str, value: str, **labels: str) -> dict[str, Any]:
    return {
        "labels": {"alertname": "RneBalanceLow", **labels},
        "annotations": {"summary": "low"},
        "state": state,
        "activeAt": "2025-03-01T11:00:00.5+01:00",
        "value": value,
    }


async def test_prometheus_alerts_keys_values_and_warnings() -> None:
    body = {
        "status": "success",
        "warnings": ["partial response: store down \x1b[2J"],
        "data": {
            "alerts": [
                prom_alert("firing", "1.5e+02", tenant="t1", severity="SEV-3"),
                prom_alert("pending", "NaN", tenant="t2"),
                prom_alert("firing", "+Inf", tenant="t3"),
                prom_alert("inactive", "0", tenant="t4"),
            ]
        },
    }
    snap, request = await poll(PrometheusAlerts, body)
    assert request.url.path == "/api/v1/alerts"
    assert snap.source == "prometheus-alerts"
    by_tenant = {i["labels"]["tenant"]: i for i in snap.items}
    assert set(by_tenant) == {"t1", "t2", "t3"}
    assert by_tenant["t1"]["value"] == 150.0
    assert by_tenant["t1"]["active_since"] == "2025-03-01T10:00:00.500000Z"
    assert by_tenant["t2"]["state"] == "pending"
    assert by_tenant["t2"]["value"] is None and by_tenant["t3"]["value"] is None
    assert "partial response: store down " in snap.warnings
    assert "alert value: non-finite value (NaN/Inf) shown as none (x2)" in snap.warnings


async def test_prometheus_alert_key_ignores_label_order() -> None:
    one = prom_alert("firing", "1", tenant="t1", zone="a")
    two = dict(one, labels={"zone": "a", "tenant": "t1", "alertname": "RneBalanceLow"})
    snap_a, _ = await poll(PrometheusAlerts, {"status": "success", "data": {"alerts": [one]}})
    snap_b, _ = await poll(PrometheusAlerts, {"status": "success", "data": {"alerts": [two]}})
    assert snap_a.items[0]["key"] == snap_b.items[0]["key"]
    assert len(snap_a.items[0]["key"]) == 16
