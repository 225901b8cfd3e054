"""The real `kubernetes` client with an explicit deadline and no hidden retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubernetes.client import ApiClient


def make_k8s_client(url: str, token: str | None = None, timeout: float = 5.0) -> ApiClient:
    """A `kubernetes.client.ApiClient` for `url`: no hidden retries, a default deadline.

    Every call gets `_request_timeout=timeout` unless it passes its own, because the
    client otherwise waits forever on a silent server.
    """
    from kubernetes import client as k8s

    class _DeadlineApiClient(k8s.ApiClient):  # type: ignore[misc]
        def call_api(
            self,
            method: str,
            url: str,
            header_params: Any = None,
            body: Any = None,
            post_params: Any = None,
            _request_timeout: Any = None,
        ) -> Any:
            deadline = timeout if _request_timeout is None else _request_timeout
            return super().call_api(method, url, header_params, body, post_params, deadline)

    config = k8s.Configuration(host=url.rstrip("/"))
    config.retries = 0
    config.verify_ssl = not url.startswith("http://")
    if token is not None:
        config.api_key = {"BearerToken": token}
        config.api_key_prefix = {"BearerToken": "Bearer"}
    return _DeadlineApiClient(config)


def kubeconfig_client(
    kubeconfig: object | None, context: str | None, timeout_s: float
) -> Callable[[], Any]:
    """A factory of clients from a kubeconfig (called when a step first needs one: the
    client import is heavy)."""

    def make() -> Any:
        from kubernetes import config as kube_config

        client = kube_config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(kubeconfig) if kubeconfig else None, context=context
        )
        client.configuration.retries = 0  # the client retries 3x silently otherwise
        _with_deadline(client, timeout_s)
        return client

    return make


def _with_deadline(client: Any, timeout_s: float) -> None:
    """Every call without its own `_request_timeout` gets `timeout_s` (the default is none)."""
    call_api = client.call_api

    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("_request_timeout") is None:
            kwargs["_request_timeout"] = timeout_s
        return call_api(*args, **kwargs)

    client.call_api = call
