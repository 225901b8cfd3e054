"""The command screen's line about the incident channel and ticket (Slack, GitHub)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from cockpit.sanitize import clean

if TYPE_CHECKING:
    from cockpit.outbox.core import Outbox

_NAMES = {"slack": "Slack", "github": "GitHub"}


def outbox_text(outbox: Outbox | None) -> Text:
    """One line per tool: where, how many posted and pending, the last error (plain Text)."""
    if outbox is None:
        return Text("Slack and GitHub: not configured ([slack], [github] in the config).", "dim")
    statuses = outbox.status()
    if not statuses:
        return Text("Slack and GitHub: the channel and ticket open when you declare.", "dim")
    text = Text()
    for n, status in enumerate(statuses):
        if n:
            text.append("\n")
        text.append(f"{_NAMES.get(status.target, status.target)} ", "bold")
        where = status.where or ("channel not created yet" if status.target == "slack"
                                 else "issue not opened yet")  # fmt: skip
        text.append(clean(where, single_line=True, max_len=80))
        if status.url:
            text.append(f" {clean(status.url, single_line=True, max_len=120)}", "dim")
        style = "yellow" if status.pending else "green"
        text.append(f"  {status.posted} posted, {status.pending} pending", style)
        if status.last_error:
            error = clean(status.last_error, single_line=True, max_len=100)
            text.append(f"  last error: {error}", "red")
    if outbox.refusal is not None:
        text.append(f"\nNot posting: {clean(outbox.refusal, single_line=True)}.", "yellow")
    return text
