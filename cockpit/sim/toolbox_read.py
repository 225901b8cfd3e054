"""What the demo's toolbox reads: the simulated Prometheus and Kubernetes, on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class PlatformUnavailable(Exception):
    """The simulated platform did not answer (not started, stopped, or a bad reply)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One series of an instant vector: its labels and value."""

    labels: dict[str, str]
    value: float


class PlatformReader:
    """Instant queries and object lists from the demo's own servers, never the environment.

    Proxy and certificate settings from the environment are ignored (`trust_env=False`):
    the only hosts this talks to are the loopback URLs it was given.
    """

    def __init__(self, prometheus_url: str | None, k8s_url: str | None, timeout_s: float) -> None:
        self.prometheus_url = prometheus_url
        self.k8s_url = k8s_url
        self.timeout_s = timeout_s

    def vector(self, query: str) -> list[Sample]:
        """The instant vector of `query` from the demo Prometheus."""
        if self.prometheus_url is None:
            raise PlatformUnavailable("the demo's Prometheus is not running")
        url = self.prometheus_url.rstrip("/") + "/api/v1/query"
        data = self._get(url, {"query": query})
        try:
            return [
                Sample({str(k): str(v) for k, v in row["metric"].items()}, float(row["value"][1]))
                for row in data["data"]["result"]
            ]
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise PlatformUnavailable(
                f"unexpected answer from the demo's Prometheus: {exc}"
            ) from exc

    def objects(self, path: str, selector: str | None = None) -> list[dict[str, Any]]:
        """Items of a Kubernetes list (`/api/v1/namespaces/kyc/pods`) from the fake cluster."""
        if self.k8s_url is None:
            raise PlatformUnavailable("the demo's Kubernetes is not running")
        params = {"labelSelector": selector} if selector else {}
        data = self._get(self.k8s_url.rstrip("/") + path, params)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            message = data.get("message") if isinstance(data, dict) else None
            raise PlatformUnavailable(str(message or "unexpected answer from the demo's cluster"))
        return [i for i in items if isinstance(i, dict)]

    def _get(self, url: str, params: dict[str, str]) -> Any:
        try:
            with httpx.Client(timeout=self.timeout_s, trust_env=False) as client:
                reply = client.get(url, params=params)
            return reply.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise PlatformUnavailable(f"the simulated platform did not answer: {exc}") from exc
