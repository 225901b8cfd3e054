"""The real `slack_sdk` Web API client with an explicit deadline and no hidden retries."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_sdk import WebClient


def make_slack_client(base_url: str, token: str, *, timeout: float = 5.0) -> WebClient:
    """A `slack_sdk.WebClient` on `base_url` (ending in `/api/` for real Slack).

    `retry_handlers` is set to an empty list on purpose: by default the package re-sends
    after a connection error, and an optional handler sleeps on 429. The outbox honours
    Retry-After itself, recording each attempt, so nothing retries behind its back.
    """
    from slack_sdk import WebClient

    url = base_url if base_url.endswith("/") else base_url + "/"
    # slack_sdk hands `timeout` to urllib, which takes float seconds.
    return WebClient(token=token, base_url=url, timeout=timeout, retry_handlers=[],  # type: ignore[arg-type]
                     logger=_QUIET)  # fmt: skip


_QUIET = logging.getLogger("cockpit.clients.slack")
"""slack_sdk logs every failed request at ERROR; with no handler configured Python prints
that on stderr, over the terminal UI. The outcome is recorded in the log instead."""
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
