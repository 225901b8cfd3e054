"""PagerDuty panel of the command screen: on call, open incidents, ack / resolve / note, and
the switch that mirrors every note. The panel only collects input: each key calls an action
with the id of the incident highlighted at that moment; calls run in thread workers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static, Switch
from textual.widgets.option_list import Option

from cockpit.actions.outcome import Done, Refused
from cockpit.command.mirror import linked_incident
from cockpit.command.pagerduty import OnCall
from cockpit.screens.act import perform, run_followup

if TYPE_CHECKING:
    from cockpit.actions.core import Actions
    from cockpit.session import Session

NOT_CONFIGURED = (
    "PagerDuty is not configured. Add a [pagerduty] table to the config: api_url, "
    "token_env (or token_file), from_email, service_ids, escalation_policy_id, and "
    "routing_key_env to page; then restart the cockpit."
)


class PagerDutyPanel(Vertical):
    """Who is on call and the open incidents; buttons act on the highlighted incident."""

    DEFAULT_CSS = """
    PagerDutyPanel { height: auto; }
    PagerDutyPanel #pd-oncall { height: auto; }
    PagerDutyPanel #pd-incidents { height: 5; }
    PagerDutyPanel Horizontal { height: auto; }
    PagerDutyPanel Button { min-width: 10; margin: 0 1 0 0; }
    PagerDutyPanel #pd-mirror-label { padding: 1 0 0 1; }
    PagerDutyPanel #pd-message { height: auto; color: $accent; }
    """

    def __init__(self, session: Session, actions: Actions, *, configured: bool) -> None:
        super().__init__(id="pd-panel")
        self.session = session
        self.actions = actions
        self.configured = configured
        self.incidents: list[dict[str, str]] = []
        self.on_call: list[OnCall] = []
        self._selected_id: str | None = None
        """The incident the operator highlighted; kept across reloads of the list."""

    def compose(self) -> ComposeResult:
        """The not-configured hint, or on call, incidents, note field, buttons, switch."""
        yield Label("PagerDuty", classes="cmd-head")
        if not self.configured:
            yield Static(Text(NOT_CONFIGURED), id="pd-message")
            return
        yield Static("on call: asking PagerDuty...", id="pd-oncall")
        yield OptionList(id="pd-incidents")
        yield Input(placeholder="note for the highlighted incident (Enter adds it)", id="pd-note")
        with Horizontal():
            yield Button("Ack", id="pd-ack")
            yield Button("Resolve", id="pd-resolve", variant="warning")
            yield Button("Reload", id="pd-reload")
        with Horizontal():
            yield Switch(self.actions.mirror.enabled, id="pd-mirror")
            yield Label("mirror every note to the linked incident", id="pd-mirror-label")
        yield Static("", id="pd-message")

    def on_mount(self) -> None:
        """Ask PagerDuty who is on call and what is open."""
        if self.configured:
            self.reload()

    def say(self, line: str) -> None:
        """The outcome line."""
        self.query_one("#pd-message", Static).update(Text(line))

    def selected(self) -> dict[str, str] | None:
        """The PagerDuty incident highlighted now."""
        if not self.configured:
            return None
        index = self.query_one("#pd-incidents", OptionList).highlighted
        return self.incidents[index] if index is not None and index < len(self.incidents) else None

    # --- calls (thread workers, through the actions) ----------------------------------------

    def reload(self) -> None:
        """On call and open incidents."""
        followup = self.actions.pd_reload()
        if isinstance(followup, Refused):
            self.say(f"Not offered: {followup.reason}.")
            return
        self.say(f"PagerDuty: {followup.what}...")
        run_followup(self.app, followup, self._done)

    def _act(self, action: str, text: str = "") -> None:
        incident = self.selected()  # the id on screen now, not after a later reload
        ident = incident["id"] if incident is not None else ""
        result = self.actions.pd_act(action, ident, text)
        refused = perform(self.app, result, self._done)
        self.say(f"Not done: {refused}." if refused else f"PagerDuty: {action} {ident}...")

    def _done(self, done: Done, line: str) -> None:
        if not self.is_attached:
            return
        values: Mapping[str, Any] = done.value if isinstance(done.value, Mapping) else {}
        if "oncall" in values:
            self.on_call = list(values["oncall"])
            self._show_on_call()
        if "list-incidents" in values:
            self.incidents = list(values["list-incidents"])
            self._show_incidents()
        self.say(line)

    def _show_on_call(self) -> None:
        who = " · ".join(f"L{c.level} {c.name}" for c in self.on_call) or "nobody"
        self.query_one("#pd-oncall", Static).update(Text(f"on call: {who}"))

    def _show_incidents(self) -> None:
        """Refill the list; the highlight stays on the incident it was on (or on none when
        that incident is gone), never silently on another one."""
        listing = self.query_one("#pd-incidents", OptionList)
        keep = self._selected_id
        listing.set_options(Option(_incident_text(i), id=i["id"]) for i in self.incidents)
        ids = [i["id"] for i in self.incidents]
        if keep is None:
            listing.highlighted = 0 if ids else None
        else:
            listing.highlighted = ids.index(keep) if keep in ids else None
        self._selected_id = ids[listing.highlighted] if listing.highlighted is not None else None

    # --- operator input ---------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Remember which incident the operator is on."""
        event.stop()
        self._selected_id = event.option.id

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Ack, resolve or reload."""
        event.stop()
        if event.button.id == "pd-ack":
            self._act("acknowledge")
        elif event.button.id == "pd-resolve":
            self._act("resolve")
        else:
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Add the typed note to the highlighted incident."""
        if event.input.id != "pd-note":
            return
        event.stop()
        text = event.value.strip()
        if not text:
            self.say("Type the note first.")
            return
        event.input.value = ""
        self._act("note", text)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        """Mirror on: to the incident our page opened, else the highlighted one."""
        event.stop()
        if not event.value:
            if self.actions.mirror.enabled:
                self.actions.unlink_mirror()
                self.say("Notes stay in the cockpit log only.")
            return
        ours = self.session.state.incident
        target = linked_incident(self.incidents, ours.incident_id if ours else None)
        target = target or self.selected()
        if target is None:
            event.switch.value = False
            self.say("Highlight a PagerDuty incident.")
            return
        refused = self.actions.link_mirror(target["id"], target.get("title", ""))
        if refused is not None:
            event.switch.value = False
            self.say(f"Not offered: {refused.reason}.")
            return
        self.say(f"Every note is copied to PagerDuty incident {target['id']}.")


def _incident_text(incident: Mapping[str, str]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{incident['id']} ", "bold")
    text.append(f"{incident.get('status', '')[:4]} ", "yellow")
    text.append(incident.get("title", ""))
    return text
