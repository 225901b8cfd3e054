"""Factories for the real `pagerduty` clients with explicit deadlines and no hidden waits."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pagerduty import EventsApiV2Client, RestApiV2Client


def make_pd_rest_client(
    url: str,
    token: str,
    *,
    from_email: str | None = None,
    timeout: float = 5.0,
    verify: ssl.SSLContext | str | bool = True,
    fail_fast: bool = True,
) -> RestApiV2Client:
    """A RestApiV2Client on `url` with an explicit deadline (the package default is 60 s).

    `fail_fast` turns off the package's hidden waits: network errors are raised at once
    (default: 3 retries sleeping 3, 6, 12 s) and a 429 is re-sent once without sleeping,
    then returned, so the caller can honour `ratelimit-reset` itself (default: retries
    forever, sleeping 3, 6, 12 s... and ignoring the header).
    """
    from pagerduty import RestApiV2Client

    client = RestApiV2Client(
        token, default_from=from_email, base_url=url.rstrip("/"), verify=verify
    )
    client.timeout = timeout  # type: ignore[assignment]  # httpx takes float seconds
    if fail_fast:
        _fail_fast(client)
    return client


def make_pd_events_client(
    events_url: str,
    routing_key: str,
    *,
    timeout: float = 5.0,
    verify: ssl.SSLContext | str | bool = True,
    fail_fast: bool = True,
) -> EventsApiV2Client:
    """An EventsApiV2Client on `events_url`; `fail_fast` as for make_pd_rest_client."""
    from pagerduty import EventsApiV2Client

    client = EventsApiV2Client(routing_key, base_url=events_url.rstrip("/"), verify=verify)
    client.timeout = timeout  # type: ignore[assignment]  # httpx takes float seconds
    if fail_fast:
        _fail_fast(client)
    return client


def _fail_fast(client: Any) -> None:
    client.max_network_attempts = 0
    client.sleep_timer = 0.0
    # The retry table is per instance; the Events client fills it with 5xx retries.
    client.retry.clear()
    client.retry[429] = 1
