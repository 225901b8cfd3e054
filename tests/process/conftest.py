"""The Slack and GitHub loopback fakes for the process tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cockpit.sim.github_fake import GitHubFake
from cockpit.sim.slack_fake import SlackFake


@pytest.fixture
def fakes() -> Iterator[tuple[SlackFake, GitHubFake]]:
    """Both fakes on loopback, fresh for each test."""
    slack, github = SlackFake(), GitHubFake()
    slack.start()
    github.start()
    yield slack, github
    slack.stop()
    github.stop()
