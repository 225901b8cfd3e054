"""Pilot: the runbook screen runs a diagnose step, refuses a mitigation in read-only, needs the
target typed back in PROD and names where it acts; a snapshot of a PROD confirmation."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from test_runbook_screen import open_rb004, run_step, until
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from cockpit.actions.step_run import StepRun
from cockpit.actions.step_where import Confirmation
from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import FrozenClock, SystemClock
from cockpit.log.events import Event, Payload, SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.permissions import Mode, Permissions
from cockpit.runbook.exec.base import Operator, StepTargets, Where
from cockpit.runbook.params import bind_params, source_keys
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.header import HeaderInfo
from cockpit.screens.runbook_dialogs import MitigationDialog
from cockpit.screens.runbook_live import run_on_worker
from cockpit.session import LiveSession
from cockpit.sim.k8s_fake import K8sFake, make_k8s_client

SnapCompare = Callable[..., bool]
RUNBOOK = """---
id: RB-906
title: Local steps
severity: SEV-4
params:
  - name: flag
    pattern: '.*'
    source: label:flag
---

```exec id=look role=diagnose readonly=true title="Say hello"
["PYTHON", "-c", "print('hello')"]
```

```exec id=touch role=mitigate title="Create the flag file" confirm=yes target=flag-file
["PYTHON", "-c", "import sys, pathlib; pathlib.Path(sys.argv[1]).touch()", "{{ flag }}"]
```
"""


def local_app(tmp_path: Path, *, read_only: bool = False, prod: bool = False) -> CockpitApp:
    """A live cockpit whose runbooks include RB-906; PROD or read-only as asked."""
    rb_dir = tmp_path / "runbooks"
    rb_dir.mkdir()
    (rb_dir / "RB-906.md").write_text(RUNBOOK.replace("PYTHON", sys.executable))
    env = "prod" if prod else "staging"
    permissions = Permissions.decide(Mode.LIVE, read_only=read_only, environment=env,
                                     production=prod)  # fmt: skip
    targets = StepTargets(where=Where(env, prod, exec_host="bastion-7"))
    options = AppOptions(
        permissions=permissions,
        header=HeaderInfo("LIVE", env, prod, read_only),
        author="nadia@bastion",
        targets=lambda: targets,
        runbook_dirs=(str(rb_dir),),
    )
    clock = SystemClock()
    log, _report = IncidentLog.open(tmp_path / "log.jsonl", clock=clock)
    session = LiveSession(log, lambda: ([], SourcesConfigured(environment=env)), clock)
    return CockpitApp(session, options, clock=clock)


def alert(flag: Path) -> DashboardScreen.AlertOpened:
    return DashboardScreen.AlertOpened("a9", "Local", "RB-906", {"flag": str(flag)})


async def test_a_diagnose_step_runs_and_the_banner_names_the_environment(tmp_path: Path) -> None:
    app = local_app(tmp_path)
    threads: set[int] = set()
    append = app.session.append

    def on_which_thread(payload: Payload) -> Event:
        threads.add(threading.get_ident())
        return append(payload)

    app.session.append = on_which_thread  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rb004(pilot, app, alert(tmp_path / "flag"))
        await until(pilot, lambda: "staging" in str(screen.query_one("#rb-status").render()))
        await run_step(pilot, screen, "look")
        await until(pilot, lambda: any(r.outcome for r in app.session.state.steps.values()))
        (run,) = app.session.state.steps.values()
        assert run.step == "look" and run.outcome == "ok" and run.result["text"] == "hello"
    # The step ran on a worker; its events were appended on the app's own thread.
    assert threads == {threading.get_ident()}


async def test_read_only_hides_and_refuses_the_mitigation(tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    app = local_app(tmp_path, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rb004(pilot, app, alert(flag))
        assert [s.id for s in screen.shown_steps] == ["look"]
        assert "--read-only" in str(screen.query_one("#rb-title").render())
        assert "READ-ONLY" in str(screen.query_one("#rb-status").render())
        # The worker body the screen uses, given the hidden step anyway: refused and logged.
        step = screen.runbook.steps[1]
        run = StepRun(screen.runbook, step, permissions=screen.permissions,
                      targets=screen.targets, operator=screen.operator)  # fmt: skip
        body = lambda: run_on_worker(screen, run, screen.bound(), None, app.session.append)  # noqa: E731
        screen.run_worker(body, thread=True)
        await until(pilot, lambda: app.session.state.mitigations)
        (refused,) = app.session.state.mitigations.values()
        assert refused.outcome == "refused" and "--read-only" in refused.summary
        assert not isinstance(app.screen, MitigationDialog) and not flag.exists()


async def test_prod_needs_the_target_typed_back(tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    app = local_app(tmp_path, prod=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rb004(pilot, app, alert(flag))
        await until(pilot, lambda: "PROD" in str(screen.query_one("#rb-status").render()))
        await run_step(pilot, screen, "touch")
        await until(pilot, lambda: isinstance(app.screen, MitigationDialog))
        dialog = app.screen
        where = dialog.query_one("#where", Static).render()
        assert "PROD · PRODUCTION" in str(where) and "runs on bastion-7" in str(where)
        # confirm=yes in the runbook, but PROD asks for the target: Run alone does nothing.
        await pilot.click("#run")
        await pilot.pause(0.2)
        assert app.screen is dialog and not flag.exists()
        assert "not the target" in str(dialog.query_one("#typed-error", Static).render())
        dialog.query_one("#typed", Input).value = "flag-file"
        await pilot.press("enter")
        await until(pilot, lambda: flag.exists())
        await until(pilot, lambda: any(m.outcome for m in app.session.state.mitigations.values()))
        (done,) = app.session.state.mitigations.values()
        assert done.outcome == "ok" and done.typed_target == "flag-file"


def prod_confirmation(fake: K8sFake) -> Confirmation:
    """RB-001's scale-out, planned against the k8s fake, as a PROD session is asked it."""
    found = load_runbooks(default_runbook_dirs())
    runbook = found.get("RB-001")
    assert runbook is not None
    step = runbook.step("scale-out")
    assert step is not None
    where = Where("prod", True, "gke-eu-west1-prod", "kyc")
    targets = StepTargets(k8s_client=lambda: make_k8s_client(fake.url), where=where)
    permissions = Permissions.decide(Mode.LIVE, environment="prod", production=True)
    operator = Operator("nadia", "bastion-1")
    run = StepRun(runbook, step, permissions=permissions, targets=targets, operator=operator)
    bound = bind_params(runbook, source_keys(labels={"service": "ocr-svc"}))
    assert run.prepare(bound) == () and run.request()
    asked = run.confirmation()
    assert asked is not None and asked.typed_target == "ocr-svc"  # PROD: typed, not yes
    return asked


class DialogApp(App[None]):
    """Only the confirmation, as the runbook screen shows it."""

    def compose(self) -> ComposeResult:
        yield Static("runbook screen behind the dialog")

    def __init__(self, asked: Confirmation) -> None:
        super().__init__()
        self.asked = asked

    def on_mount(self) -> None:
        self.push_screen(MitigationDialog(self.asked))


def test_prod_confirmation_names_environment_context_and_namespace(
    snap_compare: SnapCompare,
) -> None:
    fake = K8sFake(clock=FrozenClock(datetime(2025, 3, 12, 14, 30, tzinfo=UTC)))
    fake.start()
    try:
        asked = prod_confirmation(fake)
    finally:
        fake.stop()
    assert snap_compare(DialogApp(asked), terminal_size=(80, 24))
