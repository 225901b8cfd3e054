"""Fixtures for the loopback Kubernetes and PagerDuty fakes, driven by the real client packages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cockpit.clock import FrozenClock
from cockpit.sim.k8s_fake import K8sFake, make_k8s_client
from cockpit.sim.pagerduty_fake import PagerDutyFake, make_pd_events_client, make_pd_rest_client

K8S_TOKEN = "k8s-test-token"
PD_TOKEN = "pd-test-token"
ON_CALL_EMAIL = "nadia.berrada@kyc-platform.example"


@pytest.fixture
def frozen_clock() -> FrozenClock:
    """A Wednesday afternoon, so the L1 weekly rotation is predictable."""
    return FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC))


@pytest.fixture
def k8s_fake(frozen_clock: FrozenClock) -> Iterator[K8sFake]:
    """A fresh seeded cluster on a free loopback port, token required."""
    fake = K8sFake(token=K8S_TOKEN, clock=frozen_clock)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def k8s_api(k8s_fake: K8sFake) -> Iterator[Any]:
    """A real kubernetes.client.ApiClient pointed at the fake."""
    client = make_k8s_client(k8s_fake.url, token=K8S_TOKEN, timeout=5)
    yield client
    client.close()


@pytest.fixture
def pd_fake(frozen_clock: FrozenClock) -> Iterator[PagerDutyFake]:
    """A fresh seeded PagerDuty account over loopback TLS."""
    fake = PagerDutyFake(token=PD_TOKEN, clock=frozen_clock)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def pd_rest(pd_fake: PagerDutyFake) -> Iterator[Any]:
    """A real pagerduty.RestApiV2Client acting as the L1 engineer, fail-fast settings."""
    client = make_pd_rest_client(
        pd_fake.url, PD_TOKEN, from_email=ON_CALL_EMAIL, verify=pd_fake.client_ssl_context()
    )
    yield client
    client.close()


@pytest.fixture
def pd_events(pd_fake: PagerDutyFake) -> Iterator[Any]:
    """A real pagerduty.EventsApiV2Client routed to the seeded `kyc-api` service."""
    client = make_pd_events_client(
        pd_fake.events_url, pd_fake.routing_key("kyc-api"), verify=pd_fake.client_ssl_context()
    )
    yield client
    client.close()
