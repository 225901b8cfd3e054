"""`exec` steps stream sanitised output as it comes, bounded, with the deadline enforced."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rb_support import LogBox, bind, runner

from cockpit.runbook.exec.base import StepTargets
from cockpit.runbook.exec.stream import MAX_LINES, OutputStream
from cockpit.runbook.model import Runbook
from cockpit.runbook.parse import parse_runbook

RUNBOOK = """---
id: RB-903
title: Local commands
severity: SEV-4
params:
  - name: script
    pattern: '.*'
    source: label:script
  - name: arg
    pattern: '.*'
    source: label:arg
---

```exec id=run role=diagnose readonly=true title="Run the script" timeout=10s
["PYTHON", "{{ script }}", "{{ arg }}"]
```

```exec id=slow role=diagnose readonly=true title="Run the script, short deadline" timeout=1s
["PYTHON", "{{ script }}", "{{ arg }}"]
```

```exec id=missing role=diagnose readonly=true title="A program that is not installed"
["/nonexistent/program", "{{ arg }}"]
```
"""
SCRIPT = r"""
import os, subprocess, sys, time
mode, arg = sys.argv[1].split(":", 1)
if mode == "gate":
    print("first line \x1b[31mred\x1b[0m \x1b]0;title\x07", flush=True)
    end = time.monotonic() + 5
    while not os.path.exists(arg) and time.monotonic() < end:
        time.sleep(0.02)
    print("after the gate", flush=True)
elif mode == "many":
    for i in range(int(arg)):
        print(f"line {i}")
elif mode == "hang":
    print("started", flush=True)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    time.sleep(30)
"""


@pytest.fixture
def local(tmp_path: Path) -> tuple[Runbook, Path]:
    rb = tmp_path / "RB-903.md"
    rb.write_text(RUNBOOK.replace("PYTHON", sys.executable))
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    return parse_runbook(rb), script


def _labels(script: Path, arg: str) -> dict[str, str]:
    return {"script": str(script), "arg": arg}


def test_output_is_seen_while_the_command_runs(
    local: tuple[Runbook, Path], logbox: LogBox, tmp_path: Path
) -> None:
    runbook, script = local
    gate = tmp_path / "gate"
    step = runbook.step("run")
    assert step is not None
    run = runner(runbook, logbox, StepTargets()).start(step)
    logbox.append_all(run.prepare(bind(runbook, _labels(script, f"gate:{gate}"))))
    logbox.append_all(run.request())
    assert run.confirmation() is None and run.confirm(None) == ()
    stream = OutputStream()
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(run.execute(stream)))
    worker.start()
    end = time.monotonic() + 5
    while stream.total == 0 and time.monotonic() < end:
        time.sleep(0.02)
    # The command is still waiting for the gate: this line arrived while it ran.
    assert worker.is_alive()
    assert stream.tail(5) == ["first line red "]
    gate.touch()
    worker.join(10)
    result, ms = box[0]
    logbox.append_all(run.finish(result, ms))
    assert result.outcome == "ok" and result.text == "first line red \nafter the gate"
    (logged,) = logbox.state.steps.values()
    assert logged.outcome == "ok" and logged.result["text"].endswith("after the gate")


def test_the_deadline_kills_the_command_and_what_it_started(
    local: tuple[Runbook, Path], logbox: LogBox
) -> None:
    runbook, script = local
    step = runbook.step("slow")
    assert step is not None
    started = time.monotonic()
    result = runner(runbook, logbox, StepTargets()).run(
        step, bind(runbook, _labels(script, "hang:x"))
    )
    assert time.monotonic() - started < 4, "a grandchild kept the step waiting"
    assert result.outcome == "timeout" and "killed" in result.summary
    assert result.text == "started"
    (logged,) = logbox.state.steps.values()
    assert logged.outcome == "timeout" and logged.result["text"] == "started"


def test_the_buffer_is_bounded_and_keeps_the_end(
    local: tuple[Runbook, Path], logbox: LogBox
) -> None:
    runbook, script = local
    step = runbook.step("run")
    assert step is not None
    count = MAX_LINES + 500
    result = runner(runbook, logbox, StepTargets()).run(
        step, bind(runbook, _labels(script, f"many:{count}"))
    )
    assert result.outcome == "ok" and result.truncated
    lines = result.text.splitlines()
    assert lines[-1] == f"line {count - 1}" and len(lines) <= MAX_LINES
    assert "line 0" not in lines


def test_a_missing_program_is_one_clear_line(local: tuple[Runbook, Path], logbox: LogBox) -> None:
    runbook, script = local
    step = runbook.step("missing")
    assert step is not None
    result = runner(runbook, logbox, StepTargets()).run(step, bind(runbook, _labels(script, "x:y")))
    assert result.outcome == "failed" and result.summary.startswith("cannot start")
    assert "\n" not in result.summary
