"""The runbook screen: prose, steps with their state from the log, parameters, runs, mitigations.

A step run is the core `StepRun`, driven on a worker (`runbook_live.run_on_worker`) that
says what happened through past-tense messages; the screen only shows state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from cockpit.actions.notes import NoteDraft
from cockpit.actions.step_gate import offered
from cockpit.actions.step_run import Phase, StepRun
from cockpit.domain.state import IncidentState
from cockpit.permissions import Capability, Permissions
from cockpit.runbook.exec.base import Operator, StepTargets
from cockpit.runbook.links import step_values
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, ParamError, check_value
from cockpit.sanitize import clean
from cockpit.screens.act import actions_of, perform
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.footer import KeyFooter
from cockpit.screens.grafana_copy import copy_link
from cockpit.screens.header import HeaderInfo, StatusBar
from cockpit.screens.runbook_dialogs import ParamDialog
from cockpit.screens.runbook_host import RunbookHost, default_operator
from cockpit.screens.runbook_live import (
    LiveOutput,
    OutputGrew,
    StepFinished,
    StepStarted,
    run_on_worker,
)
from cockpit.screens.runbook_render import (
    approval_note,
    bound_params,
    document,
    latest,
    params_text,
    run_text,
    runs_of,
    step_line,
)

if TYPE_CHECKING:
    from cockpit.screens.runbook_render import Run
    from cockpit.session import Session

REFRESH_S = 2.0
"""Poll interval the banner assumes for a source the log does not describe."""


class RunbookScreen(Screen[None]):
    """One runbook: read it, fill its parameters, run its steps; every run is in the log."""

    CSS_PATH = "runbook_screen.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("x", "run_step", "Run step"),
        Binding("n", "note", "Note"),
        Binding("p", "param", "Param"),
        Binding("g", "tab('guide')", "Guide"),
        Binding("o", "tab('results')", "Results"),
        Binding("y", "copy_link", "Grafana", show=False),
    ]

    def __init__(
        self,
        runbook: Runbook,
        *,
        session: Session,
        targets: StepTargets,
        operator: Operator,
        permissions: Permissions,
        author: str,
        header: HeaderInfo | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.runbook, self.session, self.targets = runbook, session, targets
        self.operator, self.permissions = operator, permissions
        self.labels = dict(labels or {})
        self.typed: dict[str, str] = {}
        self._author = author
        self._header = header or HeaderInfo("LIVE", permissions.environment)
        self.shown_steps, self._hidden = offered(runbook, permissions)
        self._shown: tuple[list[Run], dict[str, str]] | None = None
        """The runs and typed values last rendered (frozen records, compared by value)."""
        self.revision = -1
        """The session revision last rendered (the app hands each new state over)."""

    def compose(self) -> ComposeResult:
        """Banner, title, steps + parameters on the left, guide and results tabs on the right."""
        yield StatusBar(self._header, id="rb-status")
        rb = self.runbook
        title = " · ".join(t for t in (rb.id, rb.title, rb.severity, self._hidden) if t)
        yield Static(Text(clean(title, single_line=True)), id="rb-title")
        with Horizontal():
            with Vertical(id="rb-left"):
                yield OptionList(*[Option(s.title, id=s.id) for s in self.shown_steps], id="steps")
                yield Static(id="params")
            with TabbedContent(initial="guide", id="rb-tabs"):
                with TabPane("Guide", id="guide"), VerticalScroll():
                    yield Markdown(document(self.runbook, self.labels))
                with TabPane("Results", id="results"):
                    yield LiveOutput(id="live-output")
                    yield VerticalScroll(id="results-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill parameters and states now; the app hands over each new state."""
        self.sync(force=True)
        self.query_one("#steps", OptionList).focus()

    def show_state(self, state: IncidentState, now: datetime, revision: int) -> None:
        """The log advanced: banner, step states, parameters, results."""
        self.revision = revision
        self._show_all(state, now)

    def show_time(self, now: datetime) -> None:
        """The 1 Hz tick: the banner's clocks only."""
        for bar in self.query(StatusBar):  # none while the screen is torn down
            bar.show(self.session.state, now, REFRESH_S)

    def bound(self) -> BoundParams | ParamError:
        """Parameters from the alert labels, the incident and typed values."""
        return bound_params(self.runbook, self.session.state, self.labels, self.typed)

    def sync(self, force: bool = False) -> None:
        """Re-render from the session's current state (on mount, after a step or a typed
        parameter)."""
        self.revision = self.session.revision
        now = None
        with suppress(RuntimeError):  # the session has not started yet
            now = self.session.now()
        self._show_all(self.session.state, now, force=force)

    def _show_all(self, state: IncidentState, now: datetime | None, force: bool = False) -> None:
        if now is not None:
            self.show_time(now)
        runs = runs_of(state, self.runbook.id)
        shown = (runs, dict(self.typed))
        if shown == self._shown and not force:
            return
        self._shown = shown
        last = latest(runs)
        options = self.query_one("#steps", OptionList)
        for index, step in enumerate(self.shown_steps):
            note = approval_note(step)
            options.replace_option_prompt_at_index(index, step_line(step, last.get(step.id), note))
        self.query_one("#params", Static).update(params_text(self.runbook, self.bound()))
        box = self.query_one("#results-list", VerticalScroll)
        box.remove_children()
        box.mount_all([Static(run_text(r)) for r in reversed(runs)])

    def selected(self) -> Step | None:
        """The highlighted step."""
        index = self.query_one("#steps", OptionList).highlighted
        return None if index is None or index >= len(self.shown_steps) else self.shown_steps[index]

    def action_copy_link(self) -> None:
        """Key y: OSC 52 copy of the highlighted step's Grafana link (its query in Explore
        for promql and logql steps), with the parameters known so far."""
        step = self.selected()
        bound = self.bound()
        params = dict(bound.values) if isinstance(bound, BoundParams) else {}
        now = None
        with suppress(RuntimeError):  # the session has not started yet
            now = self.session.now()
        item = None if step is None else step_values(self.runbook, step, params, now)
        copy_link(self, item, "step")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a step runs it."""
        self.action_run_step()

    def action_run_step(self) -> None:
        """Run the highlighted step: the core step run, driven on a worker."""
        if (step := self.selected()) is None:
            return
        run = StepRun(self.runbook, step, permissions=self.permissions, targets=self.targets,
                      operator=self.operator, approvals=getattr(self.session, "approvals", None),
                      clock=self.session)  # fmt: skip
        incident = self.session.state.incident
        detected = incident.detected_at if incident else None
        body = partial(run_on_worker, self, run, self.bound(), detected, self.session.append)
        self.run_worker(body, thread=True, group="runbook-step")

    def on_step_started(self, message: StepStarted) -> None:
        """Show the results, and the live output of an `exec` step."""
        self.sync()
        self.query_one("#rb-tabs", TabbedContent).active = "results"
        if message.stream is not None:
            self.query_one(LiveOutput).start(message.title, message.stream)

    def on_output_grew(self, message: OutputGrew) -> None:
        """A running command wrote lines: show the newest."""
        self.query_one(LiveOutput).refresh_output()

    def on_step_finished(self, message: StepFinished) -> None:
        """Stop the live output; say why when the step did not run."""
        self.query_one(LiveOutput).stop()
        out = message.outcome
        if out.phase is not Phase.FINISHED and out.phase is not Phase.CANCELLED:
            text = clean(f"{out.step_id}: {out.summary}", single_line=True, max_len=240)
            self.notify(text, severity="warning" if out.outcome == "refused" else "error")
        self.sync()

    def action_note(self) -> None:
        """A note tagged with this runbook, in the log before the dialog closes (and copied to
        PagerDuty like every note: the note action of the session does both)."""
        refused = actions_of(self.app).refusal(Capability.RECORD)
        if refused is not None:
            self.notify(f"Notes: {refused}.", markup=False)
            return
        self.app.push_screen(NoteDialog(self._save_note, author=self._author))

    def _save_note(self, text: str, tags: tuple[str, ...]) -> str | None:
        draft = NoteDraft(text, (*tags, self.runbook.id))
        return perform(self.app, actions_of(self.app).add_note(draft))

    def action_param(self) -> None:
        """Type a parameter value (it wins over labels and defaults, and is checked)."""
        names = tuple(p.name for p in self.runbook.params)
        self.app.push_screen(ParamDialog(names), self._typed)

    def _typed(self, pair: tuple[str, str] | None) -> None:
        if pair is None:
            return
        name, value = pair
        param = self.runbook.param(name)
        problem = check_value(param, value) if param else f"unknown parameter {name}"
        if problem:
            self.notify(clean(problem, single_line=True, max_len=200), severity="error")
            return
        self.typed[name] = value
        self.sync()

    def action_tab(self, tab: str) -> None:
        """Show the guide or the results."""
        self.query_one("#rb-tabs", TabbedContent).active = tab

    def action_close(self) -> None:
        """Back to where the runbook was opened from."""
        self.app.pop_screen()


def runbook_screen_for(
    host: RunbookHost, runbook: Runbook, labels: Mapping[str, str] | None = None
) -> RunbookScreen:
    """The runbook screen for `runbook` in the app's session; targets from `step_targets`."""
    targets = getattr(host, "step_targets", None)
    return RunbookScreen(
        runbook,
        session=host.session,
        targets=targets if isinstance(targets, StepTargets) else StepTargets(environ=os.environ),
        operator=default_operator(host.options.author),
        permissions=host.options.permissions,
        author=host.options.author,
        header=host.options.header,
        labels=labels,
    )
