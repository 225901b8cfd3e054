"""Status updates: compose, preview, the leak guard, webhook publish and copy-only."""

from __future__ import annotations

import json

import pytest
from command_support import Story, at
from pd_support import StatusWebhook

from cockpit.command.leaks import Leak, describe, find_leaks, known_terms
from cockpit.command.statuspage import PHASES, compose, publish, starter
from cockpit.log import events as ev


def alert_state() -> Story:
    labels = {"alertname": "OcrServiceDown", "tenant": "acme-bank", "service": "ocr-svc",
              "instance": "ocr-3.prod.internal:9100", "job": "ocr"}  # fmt: skip
    story = Story().declare("SEV-2", services=("kyc-api",), tenants=("globex",))
    item = {"key": "a1", "name": "OcrServiceDown", "state": "firing", "labels": labels}
    return story.add(1, ev.AlertsObserved(source="am", items=(item,)))


def test_leak_guard_finds_tenants_hosts_ips_and_services() -> None:
    terms = known_terms(alert_state().state())
    text = (
        "Identified: acme-bank and GLOBEX saw errors from ocr-svc on ocr-3.prod.internal "
        "(10.2.3.4, fd00::1); kyc-api is degraded; db.eu-west.example.net is fine."
    )
    leaks = find_leaks(text, terms)
    assert Leak("tenant", "acme-bank") in leaks and Leak("tenant", "globex") in leaks
    assert Leak("service", "ocr-svc") in leaks and Leak("service", "kyc-api") in leaks
    assert Leak("ip", "10.2.3.4") in leaks and Leak("ip", "fd00::1") in leaks
    assert Leak("hostname", "ocr-3.prod.internal") in leaks
    assert Leak("hostname", "db.eu-west.example.net") in leaks
    assert "tenant 'acme-bank'" in describe(leaks)


def test_customer_wording_passes_the_guard() -> None:
    terms = known_terms(alert_state().state())
    text = starter("Identified", "document verification") + " Next update in 30 min, v2.1 ok."
    assert find_leaks(text, terms) == []


def test_compose_and_preview() -> None:
    draft = compose("identified", "  The cause is found.\n Fix in progress. ", at(5), private=True)
    assert draft.phase == "Identified" and draft.text == "The cause is found. Fix in progress."
    assert draft.preview() == (
        "Identified (internal page) - The cause is found. Fix in progress.\n"
        "Posted: 2025-11-10 14:05 UTC"
    )
    assert PHASES == ("Investigating", "Identified", "Monitoring", "Resolved")
    with pytest.raises(ValueError, match="unknown status phase 'Fixed'"):
        compose("Fixed", "x", at(0))
    with pytest.raises(ValueError, match="needs some text"):
        compose("Resolved", "   ", at(0))


def test_copy_only_without_a_webhook() -> None:
    result = publish(compose("Investigating", "Looking", at(0)), None, actor="bob",
                     incident_id="INC-1")  # fmt: skip
    assert result.ok and "copy" in result.message
    (posted,) = result.events
    assert isinstance(posted, ev.StatusUpdatePosted) and posted.target == "copy"


def test_webhook_publish_posts_json(webhook: StatusWebhook) -> None:
    draft = compose("Monitoring", "Fix holds", at(9))
    result = publish(draft, webhook.url + "/hook?token=s3cret", actor="bob", incident_id="INC-1")
    assert result.ok and result.message == "Monitoring update published."
    (sent,) = webhook.requests
    body = json.loads(sent.body)
    assert body["phase"] == "Monitoring" and body["incident_id"] == "INC-1"
    assert body["posted_at"].startswith("2025-11-10T14:09:00")
    logged = json.dumps([e.to_data() for e in result.events])
    assert "s3cret" not in logged, "the webhook URL (and its token) stays out of the log"


def test_webhook_timeout_and_errors_are_clear_and_logged(webhook: StatusWebhook) -> None:
    draft = compose("Resolved", "Back to normal", at(20))
    webhook.set_fault("/hook", delay_s=1.0, times=1)
    slow = publish(draft, webhook.url + "/hook", actor="bob", incident_id="I", timeout_s=0.2)
    assert (
        not slow.ok
        and slow.message == "Not published: the status page did not answer within 0.2 s."
    )
    posted, action = slow.events
    assert isinstance(posted, ev.StatusUpdatePosted) and posted.outcome == "failed"
    assert isinstance(action, ev.ExternalActionRecorded) and action.outcome == "failed"
    webhook.set_fault("/hook", status=500, times=1)
    failed = publish(draft, webhook.url + "/hook", actor="bob", incident_id="I")
    assert failed.message == "Not published: the status page answered HTTP 500."
    assert publish(draft, webhook.url + "/hook", actor="bob", incident_id="I").ok


def test_pagerduty_and_webhook_secrets_never_print() -> None:
    """The PagerDuty token and routing key and the status webhook URL are `Secret`s."""
    from cockpit.command.options import CommandOptions
    from cockpit.command.pagerduty import PdConfig

    pd = PdConfig("http://127.0.0.1:9", "pd-token-s3cret", routing_key="rk-s3cret")
    options = CommandOptions(pagerduty=pd, webhook_url="https://hooks.invalid/T0KEN-s3cret")
    shown = f"{options!r} {options} {pd!r}"
    assert "s3cret" not in shown
    assert pd.token is not None and pd.token.reveal() == "pd-token-s3cret"
