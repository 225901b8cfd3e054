"""Posts GitHub deliveries through the real PyGithub client (one attempt, no retry)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cockpit.outbox.delivery import Attempt, Delivery
from cockpit.outbox.post_slack import MAX_RETRY_AFTER_S
from cockpit.sanitize import clean
from cockpit.settings.secrets import redact

if TYPE_CHECKING:
    from github import Github

TicketOf = Callable[[str], "tuple[str, int] | None"]
"""incident id -> (repository, number) of its issue as the log knows it."""


class GitHubPoster:
    """One delivery at a time (called from the GitHub lane's thread only)."""

    def __init__(self, make_client: Callable[[], Github], repository: str,
                 ticket_of: TicketOf) -> None:  # fmt: skip
        self._make = make_client
        self._client: Github | None = None
        self.repository = repository
        self._ticket_of = ticket_of
        self._numbers: dict[str, int] = {}
        """Incident id -> issue number opened by this process (before the log says so)."""

    def deliver(self, d: Delivery) -> Attempt:
        """Post `d`; waits (no event) when the issue another cockpit opens is not known yet."""
        from github import GithubException

        try:
            client = self._client or self._make()
            self._client = client
            repo = client.get_repo(self.repository)
            if d.kind == "open":
                issue = repo.create_issue(title=d.title, body=d.text, labels=list(d.labels))
                self._numbers[d.incident_id] = issue.number
                return self._done(d, issue.number, issue.html_url)
            number = self._number(d.incident_id)
            if number is None:
                return Attempt(d, False, "the incident's issue is not open yet", wait=True)
            issue = repo.get_issue(number)
            if d.kind == "close":
                issue.edit(state="closed", state_reason="completed")
            else:
                issue.create_comment(d.text)
            return self._done(d, number, "")
        except GithubException as err:
            return _failed(d, self.repository, err.status, err.data, err.headers or {})
        except Exception as err:  # requests/socket/ssl errors: GitHub is down or slow
            text = f"GitHub unreachable: {type(err).__name__}: {err}"
            return Attempt(d, False, _reason(text), repository=self.repository)

    def _number(self, incident_id: str) -> int | None:
        if incident_id in self._numbers:
            return self._numbers[incident_id]
        known = self._ticket_of(incident_id)
        return known[1] if known is not None else None

    def _done(self, d: Delivery, number: int, url: str) -> Attempt:
        return Attempt(d, True, repository=self.repository, number=number, url=str(url or ""))


def _failed(d: Delivery, repository: str, status: int, data: Any,
            headers: Mapping[str, Any]) -> Attempt:  # fmt: skip
    message = data.get("message") if isinstance(data, Mapping) else None
    lowered = {str(k).lower(): v for k, v in headers.items()}
    retry_after: float | None = None
    limited = status == 429 or (status == 403 and "retry-after" in lowered)
    if limited:
        try:
            retry_after = min(max(float(lowered.get("retry-after", 60)), 0.0), MAX_RETRY_AFTER_S)
        except (TypeError, ValueError):
            retry_after = 60.0
    text = _reason(f"GitHub {status}: {message or 'error'}")
    return Attempt(d, False, text, retry_after, repository=repository)


def _reason(text: str) -> str:
    return clean(redact(text), max_len=200, single_line=True)
