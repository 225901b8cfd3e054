"""prometheus-api-client's `PrometheusConnect` with a deadline and no hidden retries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_api_client import PrometheusConnect


def make_range_client(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    verify_tls: bool = True,
    ca_file: str | None = None,
    timeout_s: float = 10.0,
) -> PrometheusConnect:
    """A client for range queries against `url`.

    `PrometheusConnect` retries 3 times with a backoff by default and waits forever: here
    every request gets `timeout_s`, and its urllib3 `Retry` makes no second attempt (a read
    timeout is raised as is, not retried). Redirects are not followed.
    """
    import requests
    from prometheus_api_client import PrometheusConnect
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    never = Retry(total=0, connect=0, read=False, redirect=0, status=0, raise_on_status=False)
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc picked up from the environment
    session.verify = (ca_file or True) if verify_tls else False
    for scheme in ("http://", "https://"):
        session.mount(scheme, HTTPAdapter(max_retries=never))
    session.max_redirects = 0
    return PrometheusConnect(
        url=url.rstrip("/"),
        headers=dict(headers or {}),
        disable_ssl=not verify_tls,
        retry=never,
        session=session,
        timeout=timeout_s,
    )
