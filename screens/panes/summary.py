"""Summary strip: one line naming all four panes, so the narrow layout hides nothing."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from .base import Pane
from .status import UNCONFIGURED
from .text_line import TextLine

STATUS_GLYPHS = {"stale": "◌", "partial": "◐", "failed": "✖", "never": "…", UNCONFIGURED: "-"}
STATUS_STYLES = {"stale": "$text-warning", "partial": "$text-warning", "failed": "$text-error"}
SEPARATOR = " │ "


def summary_line(panes: Sequence[Pane], current: int) -> Content:
    """`1 Alerts 7 !SEV-1 │ 2 Lag 1 over ◌ │ 3 PG 86 % │ 4 Quota 2 over`.

    The shown pane's number is reversed; a pane whose data is not fresh carries its
    status glyph, so a failing source is visible even while another pane is shown.
    """
    parts: list[Content] = []
    for pane in panes:
        number_style = "reverse bold" if current == pane.NUMBER else "bold"
        part = Content.assemble((f"{pane.NUMBER}", number_style), " ", pane.pane_summary())
        glyph = STATUS_GLYPHS.get(pane.status.status)
        if glyph:
            part = Content.assemble(part, " ", (glyph, STATUS_STYLES.get(pane.status.status, "")))
        parts.append(part)
    return Content(SEPARATOR).join(parts)


class SummaryStrip(TextLine):
    """The strip under the shown pane in the narrow layout."""

    DEFAULT_CSS = """
    SummaryStrip { background: $panel; color: $foreground; padding: 0 1; }
    """

    def show_panes(self, panes: Sequence[Pane], current: int) -> None:
        """Redraw from the panes' summaries (only when the text or styles change)."""
        self.show(summary_line(panes, current))
