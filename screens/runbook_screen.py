"""The runbook screen: prose, steps with their state from the log, parameters, runs, mitigations."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Markdown, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from cockpit.actions.notes import NoteDraft
from cockpit.clock import rfc3339
from cockpit.permissions import Capability
from cockpit.runbook.exec.base import Operator, StepResult, StepTargets
from cockpit.runbook.exec.runner import Prepared, Runner, StepRefused
from cockpit.runbook.exec.stream import OutputStream
from cockpit.runbook.model import Runbook, Step
from cockpit.runbook.params import BoundParams, ParamError, bind_params, check_value, source_keys
from cockpit.sanitize import clean
from cockpit.screens.act import actions_of, perform
from cockpit.screens.dialogs import NoteDialog
from cockpit.screens.runbook_dialogs import MitigationDialog, ParamDialog
from cockpit.screens.runbook_host import RunbookHost, default_operator
from cockpit.screens.runbook_live import LiveOutput
from cockpit.screens.runbook_render import (
    Run,
    document,
    latest,
    params_text,
    run_text,
    runs_of,
    step_line,
)

if TYPE_CHECKING:
    from cockpit.session import Session

SYNC_S = 0.5


class RunbookScreen(Screen[None]):
    """One runbook: read it, fill its parameters, run its steps; every run is in the log."""

    DEFAULT_CSS = """
    RunbookScreen #rb-left { width: 46%; min-width: 34; }
    RunbookScreen #rb-tabs { width: 1fr; }
    RunbookScreen #steps { height: 1fr; }
    RunbookScreen #params { height: auto; max-height: 10; border-top: solid $primary; }
    RunbookScreen #rb-title { height: 1; background: $primary-background; }
    RunbookScreen #results Static { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("x", "run_step", "Run step"),
        Binding("n", "note", "Note"),
        Binding("p", "param", "Param"),
        Binding("g", "tab('guide')", "Guide"),
        Binding("o", "tab('results')", "Results"),
    ]

    def __init__(
        self,
        runbook: Runbook,
        *,
        session: Session,
        targets: StepTargets,
        operator: Operator,
        read_only: bool,
        author: str,
        labels: Mapping[str, str] | None = None,
        may_mitigate: bool = True,
    ) -> None:
        super().__init__()
        self.runbook = runbook
        self.session = session
        self.labels = dict(labels or {})
        self.typed: dict[str, str] = {}
        self._author = author
        self.runner = Runner(runbook, append=session.append, targets=targets, operator=operator,
                             read_only=read_only, replay=not session.writable,
                             may_mitigate=may_mitigate)  # fmt: skip
        self._read_only = read_only
        self._may_mitigate = may_mitigate
        self.shown_steps = tuple(s for s in runbook.steps if not self._hidden(s))
        self._signature: tuple[object, ...] = ()

    def _hidden(self, step: Step) -> bool:
        # k9s-style: a mitigation this session may never run is not offered at all.
        gate = self.runner.gate(step)
        return step.mitigating and not gate.allowed and not step.forbidden

    def compose(self) -> ComposeResult:
        """Title, steps + parameters on the left, guide and results tabs on the right."""
        title = f"{self.runbook.id} · {self.runbook.title} · {self.runbook.severity}"
        hidden = len(self.runbook.steps) - len(self.shown_steps)
        if hidden:
            title += f" · {hidden} mitigations hidden ({self._why_hidden()})"
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
        yield Footer()

    def _why_hidden(self) -> str:
        if not self.session.writable:
            return "replay"
        if not self._may_mitigate:
            return "viewer role"
        return "read-only session"

    def on_mount(self) -> None:
        """Fill parameters and states now, then follow the log."""
        self.sync(force=True)
        self.set_interval(SYNC_S, self.sync)
        self.query_one("#steps", OptionList).focus()

    # --- state from the log ----------------------------------------------------------------

    def bound(self) -> tuple[BoundParams | None, str]:
        """Parameters from the alert labels, the incident and typed values."""
        incident = self.session.state.incident
        facts = {"incident_id": incident.incident_id} if incident else {}
        if incident is not None and incident.detected_at is not None:
            facts["detected_at"] = rfc3339(incident.detected_at)
        sources = source_keys(labels=self.labels, incident=facts, operator=self.typed)
        try:
            return bind_params(self.runbook, sources), ""
        except ParamError as err:
            return None, str(err)

    def sync(self, force: bool = False) -> None:
        """Re-render states, parameters and results when the log or the inputs changed."""
        runs = runs_of(self.session.state, self.runbook.id)
        signature = (tuple((r.run_id, r.state) for r in runs), tuple(sorted(self.typed.items())))
        if signature == self._signature and not force:
            return
        self._signature = signature
        last = latest(runs)
        options = self.query_one("#steps", OptionList)
        for index, step in enumerate(self.shown_steps):
            note = f"needs approval: {step.forbidden}" if step.forbidden else ""
            options.replace_option_prompt_at_index(index, step_line(step, last.get(step.id), note))
        bound, error = self.bound()
        self.query_one("#params", Static).update(params_text(self.runbook, bound, error))
        self._show_results(runs)

    def _show_results(self, runs: list[Run]) -> None:
        box = self.query_one("#results-list", VerticalScroll)
        box.remove_children()
        box.mount_all([Static(run_text(r)) for r in reversed(runs)])

    # --- actions -------------------------------------------------------------------------------

    def selected(self) -> Step | None:
        """The highlighted step."""
        index = self.query_one("#steps", OptionList).highlighted
        return (
            self.shown_steps[index] if index is not None and index < len(self.shown_steps) else None
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a step runs it."""
        self.action_run_step()

    def action_run_step(self) -> None:
        """Check gate and parameters, then plan in a worker (k8s writes read the cluster)."""
        step = self.selected()
        if step is None:
            return
        gate = self.runner.gate(step)
        if not gate.allowed:
            self._refused(step, StepRefused(step.id, gate.reason), severity="warning")
            return
        bound, error = self.bound()
        if bound is None:
            self._refused(step, StepRefused(step.id, error))
            return
        detected = incident.detected_at if (incident := self.session.state.incident) else None

        def plan() -> None:
            try:
                prepared = self.runner.prepare(step, bound, detected)
            except StepRefused as err:
                self.app.call_from_thread(self._refused, step, err)
                return
            self.app.call_from_thread(self._requested, prepared)

        self.run_worker(plan, thread=True, group="runbook-step")

    def _refused(self, step: Step, err: StepRefused, severity: SeverityLevel = "error") -> None:
        """Say why on screen and, so an auditor sees the attempt, in the log."""
        message = str(err)
        try:
            self.runner.refuse(step, err.reason, err.outcome, err.params)
        except (OSError, ValueError, RuntimeError) as exc:
            message += f" (not logged: {exc})"
        self.notify(clean(message, single_line=True, max_len=240), severity=severity)
        self.sync()

    def _requested(self, prepared: Prepared) -> None:
        self.runner.request(prepared)
        if not prepared.mitigating:
            self._execute(prepared)
            return
        target = prepared.target if prepared.confirm == "typed" else None
        dialog = MitigationDialog(prepared.step.title, prepared.plan.what, typed_target=target)
        self.app.push_screen(dialog, lambda answer: self._answered(prepared, answer))

    def _answered(self, prepared: Prepared, answer: str | bool | None) -> None:
        if answer is None or answer is False:
            self.runner.cancel(prepared)
        elif self.runner.confirm(prepared, answer if isinstance(answer, str) else None):
            self._execute(prepared)
        self.sync()

    def _execute(self, prepared: Prepared) -> None:
        self.sync()
        self.query_one("#rb-tabs", TabbedContent).active = "results"

        stream = OutputStream() if prepared.step.kind == "exec" else None
        if stream is not None:
            self.query_one(LiveOutput).start(prepared.step.title, stream)

        def work() -> None:
            result, ms = self.runner.execute(prepared, stream)
            self.app.call_from_thread(self._finished, prepared, result, ms)

        self.run_worker(work, thread=True, group="runbook-step")

    def _finished(self, prepared: Prepared, result: StepResult, ms: float) -> None:
        if prepared.step.kind == "exec":
            self.query_one(LiveOutput).stop()
        self.runner.finish(prepared, result, ms)
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
        read_only=host.options.read_only,
        author=host.options.author,
        labels=labels,
        may_mitigate=getattr(host.options, "role", "responder") != "viewer",
    )
