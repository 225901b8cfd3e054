"""Status-page updates: compose per phase, preview, then publish to a webhook or copy only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cockpit.clock import rfc3339
from cockpit.log.events import ExternalActionRecorded, StatusUpdatePosted
from cockpit.settings.secrets import Secret

PHASES = ("Investigating", "Identified", "Monitoring", "Resolved")

STARTERS = {
    "Investigating": "We are looking into a problem affecting {what}.",
    "Identified": "We found the cause of the problem affecting {what} and are fixing it.",
    "Monitoring": "A fix is in place for {what}; we are watching that it holds.",
    "Resolved": "The problem affecting {what} is over; service is back to normal.",
}
"""Opening sentences an operator edits; written for customers, with no internal names."""


@dataclass(frozen=True, slots=True)
class Draft:
    """An update ready for preview."""

    phase: str
    text: str
    at: datetime
    private: bool

    def preview(self) -> str:
        """The update as the page would show it."""
        label = " (internal page)" if self.private else ""
        return f"{self.phase}{label} - {self.text}\nPosted: {self.at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class Published:
    """How a publication went, and the log events that record it."""

    ok: bool
    message: str
    events: tuple[StatusUpdatePosted | ExternalActionRecorded, ...]


def starter(phase: str, what: str = "some of our services") -> str:
    """A first sentence for `phase` (ValueError for an unknown phase)."""
    return STARTERS[check_phase(phase)].format(what=what)


def check_phase(phase: str) -> str:
    """The phase spelled as the page spells it; ValueError naming the phases otherwise."""
    for known in PHASES:
        if known.lower() == phase.strip().lower():
            return known
    raise ValueError(f"unknown status phase {phase!r}: use one of {', '.join(PHASES)}")


def compose(phase: str, text: str, at: datetime, *, private: bool = False) -> Draft:
    """A draft; ValueError for an unknown phase or empty text."""
    body = " ".join(text.split())
    if not body:
        raise ValueError("a status update needs some text")
    return Draft(check_phase(phase), body, at, private)


def publish(
    draft: Draft,
    webhook_url: Secret | str | None,
    *,
    actor: str,
    incident_id: str,
    timeout_s: float = 5.0,
    transport: Any = None,
) -> Published:
    """POST the draft to the webhook, or record it copy-only when none is configured.

    Blocking (httpx): run it off the UI thread. Never raises for network or HTTP trouble:
    the failure is in the result and in the events, and nothing else is blocked.
    """
    if webhook_url is None:
        posted = StatusUpdatePosted(draft.phase, draft.text, "copy", "ok", actor)
        return Published(True, "No webhook configured: copy the text to the page.", (posted,))
    import httpx

    body = {
        "incident_id": incident_id,
        "phase": draft.phase,
        "text": draft.text,
        "posted_at": rfc3339(draft.at),
        "private": draft.private,
    }
    try:
        with httpx.Client(timeout=timeout_s, transport=transport) as client:
            url = webhook_url.reveal() if isinstance(webhook_url, Secret) else webhook_url
            response = client.post(url, json=body)
        if response.status_code >= 400:
            problem = f"the status page answered HTTP {response.status_code}"
        else:
            problem = ""
    except httpx.TimeoutException:
        problem = f"the status page did not answer within {timeout_s:g} s"
    except httpx.HTTPError as err:
        problem = f"the status page is unreachable ({type(err).__name__})"
    outcome = "failed" if problem else "ok"
    # The URL often carries a token: the log names the phase and the outcome, not the URL.
    posted = StatusUpdatePosted(draft.phase, draft.text, "webhook", outcome, actor)
    action = ExternalActionRecorded("statuspage", "publish", outcome, problem or draft.phase, actor)
    message = f"Not published: {problem}." if problem else f"{draft.phase} update published."
    return Published(not problem, message, (posted, action))
