"""Outside text made inert for Slack (mrkdwn) and GitHub (Markdown), and the time stamp."""

from __future__ import annotations

import re
from datetime import datetime

from cockpit.sanitize import clean

MAX_SLACK = 3000
"""Characters of one Slack line (Slack cuts text blocks at 3,000)."""
MAX_GITHUB = 60_000
"""Characters of one GitHub comment (GitHub refuses more than 65,536)."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~@:])")


def slack_safe(text: object, max_len: int = MAX_SLACK) -> str:
    """`text` cleaned and escaped so Slack shows it as typed: no link, mention or format
    (`&`, `<`, `>` are Slack's control characters; messages are also sent with mrkdwn off)."""
    value = clean(text, max_len=max_len)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_safe(text: object, max_len: int = 2000, *, single_line: bool = True) -> str:
    """`text` cleaned and backslash-escaped so GitHub Markdown shows it as typed (no link,
    heading, mention or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text, max_len=max_len, single_line=single_line))


def stamp(when: datetime) -> str:
    """`HH:MM:SSZ` of an event (UTC), the prefix of every channel line."""
    return f"{when:%H:%M:%S}Z"


def bounded(text: str, max_len: int) -> str:
    """`text` cut to `max_len` characters with a marker saying so."""
    return text if len(text) <= max_len else text[: max_len - 20] + "\n… (cut)"
