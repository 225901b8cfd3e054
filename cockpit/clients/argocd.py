"""An httpx client for the Argo CD REST API: bearer token, explicit deadline, no retries."""

from __future__ import annotations

import ssl

import httpx


def make_argocd_client(
    base_url: str, token: str | None, *, timeout: float = 5.0, verify: bool | str = True
) -> httpx.Client:
    """A client whose every call is bounded by `timeout` seconds.

    httpx never retries a request; the transport is built with `retries=0` so a refused
    connection is not retried either. `verify` is True, False or a CA bundle path (Argo CD
    often serves a certificate of its own CA). Redirects are not followed: a redirect to a
    login page is an answer the caller reports, not one it chases.
    """
    tls: bool | ssl.SSLContext = verify if isinstance(verify, bool) else _ca(verify)
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers=headers,
        timeout=httpx.Timeout(timeout),
        transport=httpx.HTTPTransport(retries=0, verify=tls),
        follow_redirects=False,
    )


def _ca(path: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=path)
