"""Every operator action in every mode (live, demo, replay, drill) x `--read-only` x a
read-only environment x role: nothing mutating (the platform, PagerDuty, the status page) is
reachable in read-only, replay or for a viewer, and each allowed action writes its events."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from actions_support import START, actions_for, open_session, writes

from cockpit.actions.approvals import Approval, ApprovalBook
from cockpit.actions.core import Actions
from cockpit.actions.notes import NoteDraft
from cockpit.actions.outcome import Followup, Outcome, Refused, Result
from cockpit.actions.paging import PagePlan
from cockpit.actions.silences import Matcher, SilenceApi, SilenceDraft
from cockpit.clock import FrozenClock
from cockpit.command.declare import IncidentForm
from cockpit.log.events_approval import ApprovalRequested
from cockpit.log.reader import LogReader
from cockpit.permissions import ROLES, Capability, Mode, Permissions
from cockpit.sim.demo_silences import SilenceFake
from cockpit.sim.pagerduty_fake import PagerDutyFake

AM_URL: list[str] = []
"""The Alertmanager silence fake of the running test (set by the `am_url` fixture)."""
SILENCE = SilenceDraft((Matcher("alertname", "OcrServiceDown"),), timedelta(hours=1), "restart")


def _am(actions: Actions) -> Actions:
    actions.silence_api = SilenceApi(AM_URL[0])
    return actions


def _expire(actions: Actions) -> Result:
    api = SilenceApi(AM_URL[0])
    silence_id = api.create(SILENCE, START, "ana@bastion")
    made = next(s for s in api.list() if s.silence_id == silence_id)
    return _am(actions).expire_silence(made)


def _approve(actions: Actions) -> Result:
    """Another person's pending request for a two-person step, approved by typing its target."""
    book = ApprovalBook()
    asked = ApprovalRequested("r1", "RB-003", "purge-topic", "purge", "kyc.events", "CTO", "bob@b2")
    book.requests["r1"] = Approval(asked, START)
    return actions.decide_approval(book, "approve r1 kyc.events")


Call = Callable[[Actions, str], Result | Followup | None]
R, C, E = Capability.RECORD, Capability.COMMAND, Capability.EXTERNAL

ACTIONS: dict[str, tuple[Capability, bool, Call, set[str]]] = {
    # name: (capability, needs an open incident, call, event types an allowed call writes)
    "declare": (C, False, lambda a, _: a.declare_or_update(IncidentForm("OCR down", "SEV-2")),
                {"incident.declared"}),
    "update": (C, True, lambda a, _: a.declare_or_update(IncidentForm("OCR down", "SEV-2")),
               {"incident.updated"}),
    "acknowledge": (C, True, lambda a, _: a.acknowledge(), {"milestone.set"}),
    "assign role": (C, True, lambda a, _: a.assign_role("Scribe", "cid"), {"role.assigned"}),
    "tick": (C, True, lambda a, _: a.tick("open-channel"), {"checklist.ticked"}),
    "add note": (R, True, lambda a, _: a.add_note(NoteDraft("pods back")), {"note.added"}),
    "correct note": (R, True, lambda a, _: a.correct_note("n1", "two pods"), {"note.added"}),
    "pin milestone": (C, True, lambda a, _: a.add_note(NoteDraft("found", (), "identified")),
                      {"note.added", "milestone.set"}),
    "page": (E, True, lambda a, _: a.page(PagePlan(3, ("CTO",), "SEV-1", True)),
             {"escalation.raised", "external.action"}),
    "plan page": (E, True, lambda a, _: a.plan_page(), set()),
    "status update": (E, True, lambda a, _: a.post_status("Investigating", "Looking into it"),
                      {"status.posted"}),
    "pd ack": (E, False, lambda a, i: a.pd_act("acknowledge", i), {"external.action"}),
    "pd resolve": (E, False, lambda a, i: a.pd_act("resolve", i), {"external.action"}),
    "pd note": (E, False, lambda a, i: a.pd_act("note", i, "checking"), {"external.action"}),
    "link mirror": (E, False, lambda a, i: a.link_mirror(i), set()),
    "resolve": (C, True, lambda a, _: a.resolve(), {"milestone.set"}),
    "silence": (E, False, lambda a, _: _am(a).silence(SILENCE), {"silence.created"}),
    "expire silence": (E, False, lambda a, _: _expire(a), {"silence.expired"}),
    "approve": (C, False, lambda a, _: _approve(a), {"approval.decided"}),
    "attach postmortem": (E, True, lambda a, _: a.attach_postmortem("# PM", "default"),
                          {"postmortem.exported"}),
}  # fmt: skip

SESSIONS = list(itertools.product(Mode, (False, True), (False, True), ROLES))


def expected(capability: Capability, mode: Mode, flag: bool, env: bool, role: str) -> bool:
    """The documented rules, restated independently of `Permissions.refusal`."""
    if mode is Mode.REPLAY:
        return False
    if capability is Capability.RECORD:
        return True
    if role == "viewer":
        return False
    return capability is Capability.COMMAND or not (flag or env)


def types_in(path: Path) -> list[str]:
    return [r.event.type for r in LogReader(path)]


def seeded_incident(fake: PagerDutyFake) -> str:
    return next(i for i, inc in fake.state.incidents.items() if inc.status == "triggered")


@pytest.fixture
def am_url() -> Iterator[str]:
    fake = SilenceFake(FrozenClock(START))
    fake.start()
    AM_URL[:] = [fake.url]
    yield fake.url
    fake.stop()


@pytest.mark.parametrize(("mode", "flag", "env", "role"), SESSIONS)
def test_every_action_in_this_session(
    tmp_path: Path,
    pd_fake: PagerDutyFake,
    am_url: str,
    mode: Mode,
    flag: bool,
    env: bool,
    role: str,
) -> None:
    permissions = Permissions.decide(
        mode, read_only=flag, environment="prod", environment_read_only=env, role=role
    )
    external_ok = expected(E, mode, flag, env, role)
    pd_id = seeded_incident(pd_fake)
    for index, (name, (capability, needs_incident, call, kinds)) in enumerate(ACTIONS.items()):
        path = tmp_path / f"{index}.jsonl"
        session = open_session(path, declared=needs_incident)
        actions = actions_for(session, permissions, pd_fake)
        actions.mirror.link(pd_id)  # linked as if earlier: notes must still not leak out
        before, pd_before = types_in(path), writes(pd_fake)
        result = call(actions, pd_id)
        allowed = expected(capability, mode, flag, env, role)
        where = f"{name} in {permissions.describe()} ({role})"
        if not allowed:
            assert isinstance(result, Refused), f"{where}: not refused"
            assert types_in(path) == before, f"{where}: wrote to the log"
            assert writes(pd_fake) == pd_before, f"{where}: reached PagerDuty"
            continue
        assert not isinstance(result, Refused), f"{where}: refused ({result})"
        followups = result.followups if isinstance(result, Outcome) else ()
        if not external_ok:
            assert followups == (), f"{where}: a call to an outside system was offered"
        for followup in followups:
            actions.record(followup.run())
        written = set(types_in(path)[len(before) :])
        assert kinds <= written, f"{where}: wrote {written}, expected {kinds}"
        if not external_ok:
            assert writes(pd_fake) == pd_before, f"{where}: reached PagerDuty"
        session.log.close()


def test_the_matrix_names_every_public_action() -> None:
    """A new action on `Actions` must be added to the matrix above."""
    public = {n for n in vars(Actions) if not n.startswith("_") and callable(getattr(Actions, n))}
    queries = {"for_session", "refusal", "command_refusal", "record", "pd_reload",
               "unlink_mirror", "list_silences"}  # fmt: skip
    covered = {"declare_or_update", "acknowledge", "assign_role", "tick", "add_note",
               "correct_note", "page", "plan_page", "post_status", "pd_act", "link_mirror",
               "resolve", "silence", "expire_silence", "decide_approval",
               "attach_postmortem"}  # fmt: skip
    assert public - queries == covered


@pytest.mark.parametrize("mode", list(Mode))
def test_reading_pagerduty_is_refused_only_in_a_replay(
    tmp_path: Path, pd_fake: PagerDutyFake, mode: Mode
) -> None:
    session = open_session(tmp_path / "r.jsonl")
    permissions = Permissions.decide(mode, read_only=True, role="viewer")
    followup = actions_for(session, permissions, pd_fake).pd_reload()
    if mode is Mode.REPLAY:
        assert isinstance(followup, Refused)
        return
    assert isinstance(followup, Followup)
    done = followup.run()
    assert done.ok and "list-incidents" in done.value
    assert writes(pd_fake) == []
