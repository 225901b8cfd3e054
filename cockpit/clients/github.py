"""The real PyGithub client with an explicit deadline and no hidden retries or waits."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from github import Github


def make_github_client(base_url: str, token: str, *, timeout: float = 5.0) -> Github:
    """A `github.Github` on `base_url` (`https://api.github.com`, or GitHub Enterprise's
    `https://HOST/api/v3`).

    `retry=None` turns off the package's retry of 403/429/5xx (by default up to 10 tries,
    sleeping as the rate limit says) and the two `seconds_between_*` throttles (by default a
    sleep before every request) are off: the outbox paces and retries itself.
    """
    from github import Auth, Github

    return Github(
        base_url=base_url.rstrip("/"),
        auth=Auth.Token(token),
        timeout=max(1, math.ceil(timeout)),  # PyGithub asserts an int
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,  # get_repo/get_issue build URLs without a GET each
    )
