"""`y`: copy the highlighted item's Grafana link to the clipboard (OSC 52, works over SSH)."""

from __future__ import annotations

from collections.abc import Mapping

from textual.widget import Widget

from cockpit.grafana import GrafanaTemplates, link_for

UNCONFIGURED = (
    "no Grafana link: no template is configured (set [grafana] dashboard or explore in the "
    "config); Y copies the row's text"
)


def link_item(
    values: Mapping[str, str] | None, prefer_explore: bool = False
) -> tuple[Mapping[str, str], bool] | None:
    """The `copy_link` item of a pane row's values (None: nothing highlighted)."""
    return None if values is None else (values, prefer_explore)


def templates_of(widget: Widget) -> GrafanaTemplates | None:
    """The app's Grafana templates (None: the app has none)."""
    found = getattr(widget.app, "grafana", None)
    return found if isinstance(found, GrafanaTemplates) else None


def copy_link(widget: Widget, item: tuple[Mapping[str, str], bool] | None, what: str) -> None:
    """Copy the link of `item` (its placeholder values, and whether explore suits it) and
    say so in plain text; or say why there is none. `what` names the item (alert, row...)."""
    if item is None:
        widget.notify(f"no Grafana link: no {what} is highlighted", severity="warning",
                      markup=False)  # fmt: skip
        return
    templates = templates_of(widget)
    if templates is None or not templates.configured:
        widget.notify(UNCONFIGURED, severity="warning", markup=False)
        return
    values, prefer_explore = item
    link = link_for(templates, values, prefer_explore=prefer_explore)
    if isinstance(link, str):
        widget.notify(link, severity="warning", markup=False)
        return
    widget.app.copy_to_clipboard(link.url)
    note = f" (no value for {', '.join(link.missing)})" if link.missing else ""
    widget.notify(f"copied {link.url}{note}", markup=False, timeout=6)
