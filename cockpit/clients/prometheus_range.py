"""prometheus-api-client's `PrometheusConnect` with a deadline and no hidden retries."""

from __future__ import annotations

import ast
import json
import re
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


FAILURES = ("answer", "timeout", "connect", "request", "refused")
"""Kinds `failure()` sorts an exception of a query into."""


def failure(exc: BaseException) -> tuple[str, str] | None:
    """(kind, detail) of an exception raised by a `PrometheusConnect` query; None when it is
    not one of theirs. `answer`: not JSON, or JSON without the API's `data.result`."""
    import requests
    from prometheus_api_client.exceptions import PrometheusApiClientException

    detail = " ".join(str(exc).split())[:300]
    if isinstance(exc, requests.JSONDecodeError | KeyError | TypeError):
        return "answer", detail
    if isinstance(exc, requests.Timeout):
        return "timeout", detail
    if isinstance(exc, requests.ConnectionError):
        return "connect", detail
    if isinstance(exc, requests.RequestException):
        return "request", detail
    if isinstance(exc, PrometheusApiClientException):
        # "HTTP Status Code 400 (b'{...,"error":"parse error: ..."}')": keep the two parts.
        found = _api_error(str(exc))
        if found is not None:
            return "refused", found
        return "refused", detail
    return None


def _api_error(message: str) -> str | None:
    """`HTTP 400: <Prometheus' error>` from the client's exception text, when it holds one."""
    match = re.fullmatch(r"HTTP Status Code (\d+) \((b'.*'|b\".*\")\)", message, re.DOTALL)
    if match is None:
        return None
    try:
        body = json.loads(ast.literal_eval(match.group(2)))
    except (ValueError, SyntaxError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, str):
        return None
    return f"HTTP {match.group(1)}: {' '.join(error.split())[:240]}"
