"""PagerDuty calls of incident command through the real `pagerduty` client and the fake."""

from __future__ import annotations

import socket
import time

from pd_support import ON_CALL_EMAIL, pd_config

from cockpit.command.pagerduty import OnCall, PagerDutyCommand
from cockpit.sim.pagerduty_fake import PagerDutyFake


def ocr_incident(command: PagerDutyCommand) -> str:
    listed = command.open_incidents()
    assert listed.ok, listed.message
    (incident,) = listed.value
    return str(incident["id"])


def test_on_call_lookup_for_the_policy(pd_command: PagerDutyCommand) -> None:
    outcome = pd_command.on_call()
    assert outcome.ok
    levels = {c.level for c in outcome.value}
    assert levels == {1, 2, 3, 4}
    assert OnCall(2, "Hugo Marchal") in outcome.value
    assert outcome.event.system == "pagerduty" and outcome.event.action == "oncall"
    assert outcome.event.outcome == "ok" and outcome.event.actor == "ana"


def test_open_incidents_ack_note_escalate_resolve(
    pd_command: PagerDutyCommand, pd_fake: PagerDutyFake
) -> None:
    ident = ocr_incident(pd_command)
    acked = pd_command.acknowledge(ident)
    assert acked.ok and acked.value["status"] == "acknowledged"
    put = [r for r in pd_fake.requests if r.method == "PUT"][-1]
    assert put.headers["from"] == ON_CALL_EMAIL
    noted = pd_command.note(ident, "ocr-svc scaled to 4 replicas")
    assert noted.ok and noted.value["content"] == "ocr-svc scaled to 4 replicas"
    escalated = pd_command.escalate(ident, 2)
    assert escalated.ok and escalated.event.detail == f"{ident} L2"
    assert [a["assignee"]["summary"] for a in escalated.value["assignments"]] == ["Hugo Marchal"]
    resolved = pd_command.resolve(ident)
    assert resolved.ok and resolved.value["status"] == "resolved"
    assert pd_command.open_incidents().value == []


def test_trigger_through_events_v2(pd_command: PagerDutyCommand) -> None:
    outcome = pd_command.trigger("OCR down for every tenant", "cockpit", dedup_key="inc-1")
    assert outcome.ok and outcome.value == "inc-1" and outcome.event.action == "trigger"
    titles = [i["title"] for i in pd_command.open_incidents().value]
    assert "OCR down for every tenant" in titles


def test_429_waits_for_the_reset_header_then_succeeds(
    pd_command: PagerDutyCommand, pd_fake: PagerDutyFake
) -> None:
    waits: list[float] = []
    pd_command.sleep = waits.append
    pd_fake.rate_limit(next_n=2, reset_s=3)  # the fail-fast client re-sends once by itself
    outcome = pd_command.on_call()
    assert outcome.ok and waits == [3.0]
    assert [r.status for r in pd_fake.requests if r.path == "/oncalls"] == [429, 429, 200]


def test_429_with_a_long_reset_fails_at_once_naming_the_wait(
    pd_command: PagerDutyCommand, pd_fake: PagerDutyFake
) -> None:
    waits: list[float] = []
    pd_command.sleep = waits.append
    pd_fake.rate_limit(next_n=5, reset_s=40)
    started = time.monotonic()
    outcome = pd_command.acknowledge("PABC123")
    assert time.monotonic() - started < 1.0 and waits == []
    assert not outcome.ok and outcome.message == "PagerDuty rate limit reached (429): retry in 40 s"
    assert outcome.event.outcome == "failed" and "429" in outcome.event.detail


def test_401_403_and_5xx_are_one_clear_line(pd_fake: PagerDutyFake) -> None:
    wrong = PagerDutyCommand(pd_config(pd_fake, token="not-the-right-token"), actor="ana")
    denied = wrong.on_call()
    assert not denied.ok and "refused the token (401)" in denied.message
    command = PagerDutyCommand(pd_config(pd_fake), actor="ana")
    pd_fake.set_fault("/incidents", status=403, times=1)
    forbidden = command.open_incidents()
    assert not forbidden.ok and "lacks the permission" in forbidden.message
    pd_fake.set_fault("/incidents", status=503, times=1)
    broken = command.open_incidents()
    assert broken.message == "PagerDuty failed (HTTP 503): try again shortly"
    assert broken.event.outcome == "failed"
    assert command.open_incidents().ok, "nothing stays blocked after a failure"


def test_unreachable_pagerduty_fails_fast(pd_fake: PagerDutyFake) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = PagerDutyCommand(pd_config(pd_fake, api_url=f"https://127.0.0.1:{port}"))
    started = time.monotonic()
    outcome = command.open_incidents()
    assert time.monotonic() - started < 2.0
    assert not outcome.ok and outcome.message.startswith("PagerDuty is unreachable")
    assert "api_url" in outcome.message


def test_bad_input_is_refused_before_any_call(pd_fake: PagerDutyFake) -> None:
    command = PagerDutyCommand(pd_config(pd_fake, routing_key=None, escalation_policy_id=None))
    pd_fake.clear_requests()
    assert "not a PagerDuty incident id" in command.acknowledge("../users").message
    assert command.note("PABC", "  ").message == "a note needs some text"
    assert "routing_key_env" in command.trigger("x", "y").message
    assert "escalation_policy_id" in command.on_call().message
    assert not command.escalate("PABC", 0).ok
    no_token = PagerDutyCommand(pd_config(pd_fake, token=None))
    assert "token_env" in no_token.open_incidents().message
    assert pd_fake.requests == []
