"""The PagerDuty fake, driven through the real `pagerduty` package (REST v2 and Events v2)."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import pagerduty
import pytest

from cockpit.sim.pagerduty_fake import PagerDutyFake, make_pd_rest_client

OCR_SERVICE = "PSOCR001"
POLICY = "PEPKYC01"


def open_incident(rest: Any, service_id: str) -> dict[str, Any]:
    params = {"service_ids": [service_id], "statuses": ["triggered", "acknowledged"]}
    (incident,) = rest.list_all("/incidents", params=params)
    return dict(incident)


def test_on_call_lookup_by_escalation_policy(pd_rest: Any, pd_fake: PagerDutyFake) -> None:
    oncalls = pd_rest.list_all("/oncalls", params={"escalation_policy_ids": [POLICY]})
    by_level: dict[int, list[str]] = {}
    for entry in oncalls:
        by_level.setdefault(entry["escalation_level"], []).append(entry["user"]["summary"])
    assert sorted(by_level) == [1, 2, 3, 4]
    assert len(by_level[1]) == 1 and by_level[1][0] in {"Nadia Berrada", "Tomas Okafor"}
    assert by_level[2] == ["Hugo Marchal"] and by_level[3] == ["Ines Carvalho"]
    assert sorted(by_level[4]) == ["Marc Delorme", "Sofia Lindqvist"]
    l1 = next(e for e in oncalls if e["escalation_level"] == 1)
    assert l1["schedule"]["id"] and l1["start"] < "2025-03-12T14:30:00Z" < l1["end"]
    assert pd_rest.list_all("/oncalls", params={"escalation_policy_ids": ["PNOPE"]}) == []
    policy = pd_rest.rget(f"/escalation_policies/{POLICY}")
    assert [r["escalation_delay_in_minutes"] for r in policy["escalation_rules"]] == [
        15,
        30,
        30,
        60,
    ]
    sent = next(r for r in pd_fake.requests if r.path == "/oncalls")
    assert sent.query["escalation_policy_ids[]"] == [POLICY]
    assert sent.headers["accept"] == "application/vnd.pagerduty+json;version=2"


def test_list_open_incidents_by_service(pd_rest: Any) -> None:
    ocr = open_incident(pd_rest, OCR_SERVICE)
    assert ocr["status"] == "triggered" and ocr["service"]["summary"] == "ocr"
    assert ocr["urgency"] == "high" and ocr["assignments"]
    every_open = pd_rest.list_all("/incidents", params={"statuses": ["triggered", "acknowledged"]})
    assert {i["status"] for i in every_open} == {"triggered", "acknowledged"}
    assert len(pd_rest.list_all("/incidents")) == 3
    assert {s["name"] for s in pd_rest.list_all("/services")} == {
        "kyc-api",
        "ocr",
        "kafka-consumers",
        "postgres",
    }
    assert len(pd_rest.list_all("/users")) == 6


def test_classic_pagination(pd_rest: Any, pd_fake: PagerDutyFake) -> None:
    pd_fake.clear_requests()
    users = pd_rest.list_all("/users", page_size=4)
    assert len({u["id"] for u in users}) == 6
    offsets = [r.query["offset"] for r in pd_fake.requests]
    assert offsets == [["0"], ["4"]]


def test_acknowledge_then_resolve(pd_rest: Any, pd_fake: PagerDutyFake) -> None:
    incident = open_incident(pd_rest, OCR_SERVICE)
    acked = pd_rest.rput(incident, json={"type": "incident_reference", "status": "acknowledged"})
    assert acked["status"] == "acknowledged"
    assert acked["acknowledgements"][0]["acknowledger"]["summary"] == "Nadia Berrada"
    put = [r for r in pd_fake.requests if r.method == "PUT"][-1]
    assert put.headers["from"] == "nadia.berrada@kyc-platform.example"
    assert json.loads(put.body) == {
        "incident": {"type": "incident_reference", "status": "acknowledged"}
    }
    resolved = pd_rest.rput(incident, json={"type": "incident_reference", "status": "resolved"})
    assert resolved["status"] == "resolved" and resolved["assignments"] == []
    assert pd_rest.rget(f"/incidents/{incident['id']}")["status"] == "resolved"
    with pytest.raises(pagerduty.HttpError) as err:
        pd_rest.rput(incident, json={"type": "incident_reference", "status": "acknowledged"})
    assert err.value.response.status_code == 400


def test_notes_are_added_and_listed(pd_rest: Any) -> None:
    incident = open_incident(pd_rest, OCR_SERVICE)
    note = pd_rest.rpost(
        f"/incidents/{incident['id']}/notes", json={"content": "ocr-svc scaled from 2 to 4"}
    )
    assert note["content"] == "ocr-svc scaled from 2 to 4"
    assert note["user"]["summary"] == "Nadia Berrada"
    notes = pd_rest.rget(f"/incidents/{incident['id']}/notes")
    assert [n["content"] for n in notes] == ["ocr-svc scaled from 2 to 4"]
    annotations = list(pd_rest.iter_incident_notes(incident["id"]))
    assert [a["summary"] for a in annotations] == ["ocr-svc scaled from 2 to 4"]
    with pytest.raises(pagerduty.HttpError) as err:
        pd_rest.rpost(f"/incidents/{incident['id']}/notes", json={"content": "  "})
    assert err.value.response.status_code == 400


def test_escalate_to_level_two(pd_rest: Any) -> None:
    incident = open_incident(pd_rest, "PSKAFKA1")
    assert incident["status"] == "acknowledged"
    escalated = pd_rest.rput(incident, json={"type": "incident_reference", "escalation_level": 2})
    assert escalated["status"] == "triggered"
    assert [a["assignee"]["summary"] for a in escalated["assignments"]] == ["Hugo Marchal"]
    with pytest.raises(pagerduty.HttpError) as err:
        pd_rest.rput(incident, json={"type": "incident_reference", "escalation_level": 9})
    assert err.value.response.status_code == 400


def test_writes_need_a_known_from_header(pd_fake: PagerDutyFake) -> None:
    anonymous = make_pd_rest_client(pd_fake.url, pd_fake.token, verify=pd_fake.client_ssl_context())
    incident = open_incident(anonymous, OCR_SERVICE)
    with pytest.raises(pagerduty.HttpError) as err:
        anonymous.rput(incident, json={"type": "incident_reference", "status": "acknowledged"})
    assert err.value.response.status_code == 400
    assert "From" in err.value.response.json()["error"]["errors"][0]


def test_trigger_dedup_ack_resolve_through_events_api(pd_events: Any, pd_rest: Any) -> None:
    key = pd_events.trigger(
        "KYC API 5xx ratio above 2 %", "prometheus", dedup_key="kyc-5xx", severity="critical"
    )
    assert key == "kyc-5xx"
    assert pd_events.trigger("KYC API 5xx ratio above 2 %", "prometheus", dedup_key=key) == key
    (incident,) = pd_rest.list_all("/incidents", params={"incident_key": key})
    assert incident["title"] == "KYC API 5xx ratio above 2 %"
    assert incident["service"]["summary"] == "kyc-api" and incident["status"] == "triggered"
    assert incident["alert_counts"]["all"] == 2, "the second trigger was deduplicated"
    pd_events.acknowledge(key)
    assert pd_rest.rget(incident)["status"] == "acknowledged"
    pd_events.resolve(key)
    assert pd_rest.rget(incident)["status"] == "resolved"
    generated = pd_events.trigger("Disk almost full", "node-3", severity="warning")
    (low,) = pd_rest.list_all("/incidents", params={"incident_key": generated})
    assert low["urgency"] == "low"


def test_events_api_rejects_bad_events(pd_fake: PagerDutyFake) -> None:
    from cockpit.sim.pagerduty_fake import make_pd_events_client

    wrong = make_pd_events_client(pd_fake.events_url, "0" * 32, verify=pd_fake.client_ssl_context())
    with pytest.raises(pagerduty.HttpError) as err:
        wrong.trigger("x", "y")
    assert err.value.response.status_code == 400
    assert err.value.response.json()["status"] == "invalid event"


def test_wrong_token_raises_401_at_once(pd_fake: PagerDutyFake) -> None:
    client = make_pd_rest_client(pd_fake.url, "not-the-token", verify=pd_fake.client_ssl_context())
    with pytest.raises(pagerduty.HttpError) as err:
        client.rget("/users")
    assert err.value.response.status_code == 401
    assert sum(1 for r in pd_fake.requests if r.path == "/users") == 1


def test_stock_client_sleeps_its_own_backoff_on_429(pd_fake: PagerDutyFake) -> None:
    """Measured: the package ignores ratelimit-reset, sleeps sleep_timer*2 = 3 s, retries."""
    stock = make_pd_rest_client(
        pd_fake.url, pd_fake.token, verify=pd_fake.client_ssl_context(), fail_fast=False
    )
    pd_fake.rate_limit(next_n=1, reset_s=1)
    started = time.monotonic()
    assert len(stock.list_all("/services")) == 4
    elapsed = time.monotonic() - started
    assert 2.9 <= elapsed < 4.0, f"waited {elapsed:.2f}s"
    assert [r.status for r in pd_fake.requests if r.path == "/services"] == [429, 200]


def test_fail_fast_client_surfaces_429_with_reset_header(
    pd_rest: Any, pd_fake: PagerDutyFake
) -> None:
    pd_fake.rate_limit(next_n=5, reset_s=7)
    started = time.monotonic()
    with pytest.raises(pagerduty.HttpError) as err:
        pd_rest.rget("/users")
    assert time.monotonic() - started < 1.0
    response = err.value.response
    assert response.status_code == 429
    assert response.headers["ratelimit-reset"] == "7" and response.headers["retry-after"] == "7"
    assert [r.status for r in pd_fake.requests if r.path == "/users"] == [429, 429]


def test_fail_fast_client_honours_its_timeout(pd_fake: PagerDutyFake) -> None:
    client = make_pd_rest_client(
        pd_fake.url, pd_fake.token, timeout=0.3, verify=pd_fake.client_ssl_context()
    )
    pd_fake.set_fault("/incidents", delay_s=1.0)
    started = time.monotonic()
    with pytest.raises(pagerduty.Error):
        client.rget("/incidents")
    assert time.monotonic() - started < 0.8


def test_robust_against_bad_requests(pd_fake: PagerDutyFake, pd_rest: Any) -> None:
    auth = {"Authorization": f"Token token={pd_fake.token}"}
    with httpx.Client(verify=pd_fake.client_ssl_context(), base_url=pd_fake.url) as raw:
        missing = raw.get("/nowhere", headers=auth)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == 2100
        bad_json = raw.post("/events/v2/enqueue", content=b"{oops")
        assert bad_json.status_code == 400 and bad_json.json()["status"] == "invalid event"
        assert raw.delete("/incidents", headers=auth).status_code == 405
        assert raw.get("/users", headers={"Authorization": "Token token="}).status_code == 401
    with socket.create_connection(("127.0.0.1", pd_fake.port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")  # plain http to a TLS port
    assert len(pd_rest.list_all("/services")) == 4, "the server still answers"
