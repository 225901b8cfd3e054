"""Running operator actions from the UI: show a refusal, run follow-ups in thread workers.

A follow-up's worker posts `FollowupDone` (past tense: the call has finished) to the app,
which appends its events through `Actions.record` on the main thread and shows the line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

if TYPE_CHECKING:
    from cockpit.actions.core import Actions
    from cockpit.actions.outcome import Done, Followup, Result

# The outcome classes are imported where an action's result is handled: the first frame needs
# none of them.
Reply = Callable[["Done", str], None]
"""Called on the main thread with the finished call and the line to show."""


class FollowupDone(Message):
    """A follow-up call (PagerDuty, status page) finished; its events are not logged yet."""

    def __init__(self, done: Done, reply: Reply | None) -> None:
        super().__init__()
        self.done = done
        self.reply = reply


def actions_of(app: App[Any]) -> Actions:
    """The session's actions (the cockpit app holds them)."""
    from cockpit.actions.core import Actions

    actions = getattr(app, "actions", None)
    if not isinstance(actions, Actions):
        raise TypeError("this app has no operator actions")
    return actions


def perform(app: App[Any], result: Result, reply: Reply | None = None) -> str | None:
    """Start `result`'s follow-ups; the refusal reason, or None when the action was done."""
    from cockpit.actions.outcome import Refused

    if isinstance(result, Refused):
        return result.reason
    for followup in result.followups:
        run_followup(app, followup, reply)
    return None


def run_followup(app: App[Any], followup: Followup, reply: Reply | None = None) -> None:
    """Run `followup` in a thread worker of the app (it outlives the screen that asked)."""

    from cockpit.actions.outcome import Done

    def work() -> None:
        try:
            done = followup.run()
        except Exception as err:  # a bug in a call must not take the cockpit down
            done = Done(False, f"Failed while {followup.what}: {type(err).__name__}.")
        app.post_message(FollowupDone(done, reply))

    app.run_worker(work, thread=True, group="followups", description=followup.what)


class ActionsApp(App[int]):
    """An app holding the session's `actions`: shows outcomes, logs finished follow-ups."""

    @property
    def actions(self) -> Actions:
        """The session's operator actions."""
        raise NotImplementedError

    def render_state(self) -> None:
        """Re-render after an action (the cockpit app refreshes its screens)."""

    def act(self, result: Result) -> str | None:
        """Show what an action did (or why not) and start its follow-ups."""
        from cockpit.actions.outcome import Outcome

        refused = perform(self, result)
        if refused is not None:
            self.notify(f"Not done: {refused}", severity="warning", markup=False)
            return refused
        assert isinstance(result, Outcome)
        self.render_state()
        if result.message:
            self.notify(result.message, markup=False)
        return None

    def on_followup_done(self, message: FollowupDone) -> None:
        """A PagerDuty or status-page call finished: log its events, then say how it went."""
        line = self.actions.record(message.done)
        self.render_state()
        if message.reply is not None:
            message.reply(message.done, line)
        elif message.done.ok:
            self.notify(line, title="Outside systems", markup=False)
        else:
            self.notify(line, title="Outside systems", severity="warning", markup=False)
