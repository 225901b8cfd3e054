"""Turn `pagerduty` / httpx failures into one clear line, and read rate-limit headers."""

from __future__ import annotations

from typing import Any

STATUS_ADVICE = {
    400: "PagerDuty rejected the request (400): check the incident id and the From email",
    401: "PagerDuty refused the token (401): check [pagerduty] token_env / token_file",
    403: "the PagerDuty token lacks the permission for this (403): use a read-write token",
    404: "PagerDuty does not know this incident or resource (404)",
}


def _response(err: BaseException) -> Any:
    return getattr(err, "response", None)


def reset_after(err: BaseException) -> float | None:
    """Seconds to wait from a 429's `ratelimit-reset` or `Retry-After` header, else None."""
    response = _response(err)
    if response is None or getattr(response, "status_code", None) != 429:
        return None
    for header in ("ratelimit-reset", "retry-after"):
        value = response.headers.get(header)
        try:
            seconds = float(value) if value is not None else None
        except ValueError:
            seconds = None
        if seconds is not None and seconds >= 0:
            return seconds
    return 1.0


def describe_error(err: BaseException, wait_s: float | None = None) -> str:
    """One line naming what went wrong and what to do."""
    response = _response(err)
    status = getattr(response, "status_code", None)
    if status == 429:
        return f"PagerDuty rate limit reached (429): retry in {wait_s or 1:g} s"
    if isinstance(status, int):
        if status in STATUS_ADVICE:
            return STATUS_ADVICE[status]
        if status >= 500:
            return f"PagerDuty failed (HTTP {status}): try again shortly"
        return f"PagerDuty answered HTTP {status}"
    name = type(err).__name__
    cause = err.__cause__ or err.__context__
    if (cause is not None and "Timeout" in type(cause).__name__) or "Timeout" in name:
        return "PagerDuty did not answer in time: check [pagerduty] api_url and the network"
    return f"PagerDuty is unreachable ({name}): check [pagerduty] api_url and the network"
