"""PagerDuty panel of the command screen: on call, open incidents, ack / resolve / note, and
the switch that mirrors scribe notes. Every call runs in a thread worker; its outcome is one
line on the panel and an `external.action` event in the log."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static, Switch
from textual.widgets.option_list import Option

from cockpit.command.mirror import NoteMirror, linked_incident, note_content
from cockpit.command.pagerduty import OnCall, PagerDutyCommand, PdConfig, PdOutcome
from cockpit.sanitize import clean
from cockpit.screens.safe import plain_str

if TYPE_CHECKING:
    from cockpit.session import Session

NOT_CONFIGURED = (
    "PagerDuty is not configured. Add a [pagerduty] table to the config: api_url, "
    "token_env (or token_file), from_email, service_ids, escalation_policy_id, and "
    "routing_key_env to page; then restart the cockpit."
)


def record(session: Session, outcome: PdOutcome) -> str:
    """Append the outcome's event (live only) and return the line to show."""
    line = clean(outcome.message, single_line=True, max_len=120)
    if session.writable:
        try:
            session.append(outcome.event)
        except (OSError, ValueError, RuntimeError) as err:
            return f"{line} (not logged: {clean(err, single_line=True, max_len=60)})"
    return line


def mirror_note(app: App[Any], session: Session, config: PdConfig | None, mirror: NoteMirror,
                text: str, author: str) -> None:  # fmt: skip
    """Copy a scribe note to the linked PagerDuty incident, off the UI thread."""
    target = mirror.target
    if config is None or target is None:
        return
    content = note_content(text, author)

    def work() -> None:
        outcome = PagerDutyCommand(config, actor=author).note(target, content)
        app.call_from_thread(lambda: app.notify(record(session, outcome), title="PagerDuty"))

    app.run_worker(work, thread=True, group="pd-mirror")


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

    def __init__(self, session: Session, config: PdConfig | None, mirror: NoteMirror, *,
                 author: str, locked: Callable[[], str | None]) -> None:  # fmt: skip
        super().__init__(id="pd-panel")
        self.session = session
        self.config = config
        self.mirror = mirror
        self.author = author
        self._locked = locked
        self._pd = PagerDutyCommand(config, actor=author) if config is not None else None
        self.incidents: list[dict[str, str]] = []
        self.on_call: list[OnCall] = []

    def compose(self) -> ComposeResult:
        """The not-configured hint, or on call, incidents, note field, buttons, switch."""
        yield Label("PagerDuty", classes="cmd-head")
        if self._pd is None:
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
            yield Switch(self.mirror.enabled, id="pd-mirror")
            yield Label("mirror scribe notes (n) to the linked incident", id="pd-mirror-label")
        yield Static("", id="pd-message")

    def on_mount(self) -> None:
        """Ask PagerDuty who is on call and what is open."""
        if self._pd is not None:
            self.reload()

    def say(self, line: str) -> None:
        """The outcome line."""
        self.query_one("#pd-message", Static).update(Text(line))

    def selected(self) -> dict[str, str] | None:
        """The highlighted PagerDuty incident."""
        if self._pd is None:
            return None
        index = self.query_one("#pd-incidents", OptionList).highlighted
        return self.incidents[index] if index is not None and index < len(self.incidents) else None

    # --- calls (thread workers) -------------------------------------------------------------

    def _call(self, what: str, calls: Sequence[Callable[[PagerDutyCommand], PdOutcome]]) -> None:
        pd = self._pd
        if pd is None:
            return

        def work() -> None:
            outcomes = [call(pd) for call in calls]
            self.app.call_from_thread(self._done, outcomes)

        self.say(f"PagerDuty: {what}...")
        self.run_worker(work, thread=True, group="pagerduty")

    def reload(self) -> None:
        """On call and open incidents."""
        self._call("asking who is on call", [lambda pd: pd.on_call(), _listing])

    def _mutate(self, what: str, call: Callable[[PagerDutyCommand, str], PdOutcome]) -> None:
        locked = self._locked()
        if locked is not None:
            self.say(f"Not offered: {locked}.")
            return
        incident = self.selected()
        if incident is None:
            self.say("Highlight a PagerDuty incident first.")
            return
        ident = incident["id"]
        self._call(f"{what} {ident}", [lambda pd: call(pd, ident), _listing])

    def _done(self, outcomes: Sequence[PdOutcome]) -> None:
        lines = [record(self.session, o) for o in outcomes]
        for outcome in outcomes:
            if outcome.ok and outcome.event.action == "oncall":
                self.on_call = list(outcome.value)
                self._show_on_call()
            elif outcome.ok and outcome.event.action == "list-incidents":
                self.incidents = list(outcome.value)
                self._show_incidents()
        failed = [line for o, line in zip(outcomes, lines, strict=True) if not o.ok]
        self.say(failed[0] if failed else lines[0])

    def _show_on_call(self) -> None:
        who = " · ".join(f"L{c.level} {c.name}" for c in self.on_call) or "nobody"
        self.query_one("#pd-oncall", Static).update(Text(f"on call: {who}"))

    def _show_incidents(self) -> None:
        listing = self.query_one("#pd-incidents", OptionList)
        listing.set_options(Option(_incident_text(i), id=i["id"]) for i in self.incidents)
        if self.incidents:
            listing.highlighted = 0

    # --- operator input ---------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Ack, resolve or reload."""
        event.stop()
        if event.button.id == "pd-ack":
            self._mutate("acknowledging", lambda pd, i: pd.acknowledge(i))
        elif event.button.id == "pd-resolve":
            self._mutate("resolving", lambda pd, i: pd.resolve(i))
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
        self._mutate("adding a note to", lambda pd, i: pd.note(i, text))

    def on_switch_changed(self, event: Switch.Changed) -> None:
        """Mirror on: to the incident our page opened, else the highlighted one."""
        event.stop()
        if not event.value:
            if self.mirror.enabled:
                self.mirror.unlink()
                self.say("Scribe notes stay in the cockpit log only.")
            return
        ours = self.session.state.incident
        target = linked_incident(self.incidents, ours.incident_id if ours else None)
        target = target or self.selected()
        locked = self._locked()
        if locked is not None or target is None:
            event.switch.value = False
            self.say(f"Not offered: {locked}." if locked else "Highlight a PagerDuty incident.")
            return
        self.mirror.link(target["id"], target.get("title", ""))
        self.say(f"Scribe notes (n) are copied to PagerDuty incident {target['id']}.")


def _listing(pd: PagerDutyCommand) -> PdOutcome:
    return pd.open_incidents()


def _incident_text(incident: Mapping[str, str]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{plain_str(incident['id'], single_line=True, max_len=20)} ", "bold")
    text.append(f"{plain_str(incident.get('status', ''))[:4]} ", "yellow")
    text.append(plain_str(incident.get("title", ""), single_line=True))  # from PagerDuty
    return text
