"""`Outbox`: the session's link to Slack and GitHub (fold, lanes, outcomes, status line)."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.log.events import Event, Payload
from cockpit.outbox.book import OutboxBook
from cockpit.outbox.delivery import GITHUB, SLACK, Attempt
from cockpit.outbox.lane import Lane, Poster
from cockpit.outbox.mapping import Targets
from cockpit.permissions import Capability, Permissions

if TYPE_CHECKING:
    from cockpit.config import Settings


@dataclass(frozen=True, slots=True)
class ToolStatus:
    """One tool as the command screen shows it for the current incident."""

    target: str
    where: str
    """`#inc-...` or `owner/name#12` (empty before it exists)."""
    url: str
    posted: int
    pending: int
    last_error: str


class Outbox:
    """Folds what the session reads, hands pending deliveries to the lanes, and gives the
    session their outcomes to append (on the session's thread: workers never write)."""

    def __init__(self, book: OutboxBook, permissions: Permissions,
                 posters: Mapping[str, Poster]) -> None:  # fmt: skip
        self.book = book
        self.refusal = permissions.refusal(Capability.EXTERNAL)
        """Why nothing is posted in this session (None: posting is allowed)."""
        self._results: queue.SimpleQueue[Attempt] = queue.SimpleQueue()
        self.listener: Callable[[], None] | None = None
        """Called from a lane's thread after each attempt (the app pumps the session)."""
        self.lanes: dict[str, Lane] = {}
        if self.refusal is None:
            for name, poster in posters.items():
                self.lanes[name] = Lane(name, poster, self._results, notify=self._notify)

    def _notify(self) -> None:
        if self.listener is not None:
            self.listener()

    def observe(self, events: Iterable[Event]) -> None:
        """Fold `events` (any writer's) and queue what this cockpit must post."""
        self.book.apply_all(events)
        if not self.lanes:
            return
        pending = self.book.pending()
        for name, lane in self.lanes.items():
            lane.offer(d for d in pending if d.target == name)

    def take(self) -> list[Payload]:
        """The outcome events of the attempts made since the last call, in order."""
        out: list[Payload] = []
        while True:
            try:
                out.append(self._results.get_nowait().event())
            except queue.Empty:
                return out

    def status(self) -> list[ToolStatus]:
        """The current incident's channel and ticket, with counts (empty: no incident)."""
        mirror = self.book.current
        if mirror is None:
            return []
        found: list[ToolStatus] = []
        targets = self.book.targets
        if targets.slack:
            found.append(ToolStatus(SLACK, mirror.channel, "", mirror.posted[SLACK],
                                    self.book.pending_for(mirror.incident_id, SLACK),
                                    mirror.last_error.get(SLACK, "")))  # fmt: skip
        if targets.github:
            where = f"{mirror.repository}#{mirror.number}" if mirror.number is not None else ""
            found.append(ToolStatus(GITHUB, where, mirror.url, mirror.posted[GITHUB],
                                    self.book.pending_for(mirror.incident_id, GITHUB),
                                    mirror.last_error.get(GITHUB, "")))  # fmt: skip
        return found

    def stop(self) -> None:
        """Stop the lanes (what they did not post stays pending in the log)."""
        for lane in self.lanes.values():
            lane.stop()


def build_outbox(
    settings: Settings, environ: Mapping[str, str], permissions: Permissions, author: str
) -> Outbox | None:
    """The outbox `[slack]` and `[github]` ask for (None when both are off); ConfigError
    when a token reference cannot be read. Clients are built at the first post."""
    from cockpit.outbox.post_github import GitHubPoster
    from cockpit.outbox.post_slack import SlackPoster

    slack, github = settings.slack, settings.github
    if not (slack.enabled or github.enabled):
        return None
    targets = Targets(slack.enabled, github.enabled, tuple(github.labels),
                      slack.incidents_channel is not None)  # fmt: skip
    book = OutboxBook(author, targets)
    posters: dict[str, Poster] = {}
    if slack.enabled:
        from cockpit.clients.slack import make_slack_client

        token = slack.token(environ)
        assert token is not None  # the table refuses enabled without a token reference
        url, timeout = slack.base_url, slack.timeout_seconds
        posters[SLACK] = SlackPoster(
            lambda: make_slack_client(url, token.reveal(), timeout=timeout),
            incidents_channel=slack.incidents_channel, people=slack.people,
        )  # fmt: skip
    if github.enabled:
        from cockpit.clients.github import make_github_client

        gh_token = github.token(environ)
        assert gh_token is not None and github.repository is not None
        gh_url, gh_timeout = github.base_url, github.timeout_seconds
        posters[GITHUB] = GitHubPoster(
            lambda: make_github_client(gh_url, gh_token.reveal(), timeout=gh_timeout),
            github.repository, book.ticket,
        )  # fmt: skip
    return Outbox(book, permissions, posters)
