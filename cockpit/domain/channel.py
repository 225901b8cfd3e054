"""Incident ids and channel names: `#inc-YYYYMMDD-short-name` from the date and the title."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

MAX_SLUG = 24
"""Characters of the title kept in the slug (Slack allows 80 for a whole channel name)."""

_STOP = {"a", "an", "the", "on", "in", "of", "for", "to", "and", "is", "at", "with"}


def slug(title: str, max_len: int = MAX_SLUG) -> str:
    """The short name: accents folded to ASCII, lowercase, words joined by `-`, filler words
    dropped, cut at a word boundary within `max_len`; "incident" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in _STOP]
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > max_len:
            if not result:
                result = word[:max_len]
            break
        result = candidate
    return result or "incident"


def channel_name(title: str, when: datetime) -> str:
    """`#inc-YYYYMMDD-short-name` for an incident declared at `when` (UTC date)."""
    return f"#inc-{when:%Y%m%d}-{slug(title)}"


def incident_id(title: str, when: datetime) -> str:
    """A readable incident id: `INC-YYYYMMDD-HHMM-short-name`."""
    return f"INC-{when:%Y%m%d-%H%M}-{slug(title, 16)}"
