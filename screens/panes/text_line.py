"""A one-line widget that repaints only the cells its new text can reach."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget


class TextLine(Widget):
    """One line of text that repaints only when it changes, and then only as far as the
    longer of the old and new text reaches (the rest of the line was blank and stays so)."""

    DEFAULT_CSS = """
    TextLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.shown = Content("")

    def render(self) -> Content:
        """The text last shown."""
        return self.shown

    def show(self, content: Content) -> None:
        """Display `content` unless it is what is already shown."""
        if self.shown.is_same(content):
            return
        reach = max(self.shown.cell_length, content.cell_length)
        self.shown = content
        if self.is_mounted and self.size.width:
            self.refresh(Region(0, 0, reach, 1))
        else:
            self.refresh()
