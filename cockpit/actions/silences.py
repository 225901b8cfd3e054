"""Alertmanager silences (API v2): create from an alert's labels, list, expire; as actions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cockpit.actions.context import ActionContext
from cockpit.actions.outcome import Done, Followup, Outcome, Refused, Result
from cockpit.clock import parse_rfc3339, rfc3339
from cockpit.log.events import SilenceCreated, SilenceExpired
from cockpit.permissions import Capability
from cockpit.sanitize import clean

MAX_HOURS = 7 * 24
"""The longest silence the cockpit creates: a week (longer ones hide problems for good)."""
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher of a silence (equality, or a regex; `equal=False` negates)."""

    name: str
    value: str
    regex: bool = False
    equal: bool = True

    def to_api(self) -> dict[str, Any]:
        """The Alertmanager v2 form."""
        return {"name": self.name, "value": self.value, "isRegex": self.regex,
                "isEqual": self.equal}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SilenceDraft:
    """What the silence dialog collected."""

    matchers: tuple[Matcher, ...]
    duration: timedelta
    comment: str
    alert: str = ""


@dataclass(frozen=True, slots=True)
class Silence:
    """An Alertmanager silence as listed (external text already cleaned)."""

    silence_id: str
    state: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime | None
    ends_at: datetime | None
    created_by: str
    comment: str


_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
_DURATION = re.compile(r"([0-9]+)(m|h|d)")


def matcher_text(matchers: tuple[Matcher, ...]) -> str:
    """Matchers as Alertmanager writes them: name="value", name=~"regex" (the dialog's text)."""
    ops = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}
    return ", ".join(f"{m.name}{ops[(m.regex, m.equal)]}{_quote(m.value)}" for m in matchers)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """Parse `name="value", name=~"re"` (ValueError naming the part that is wrong)."""
    out: list[Matcher] = []
    pos = 0
    while pos < len(text.strip()):
        found = _MATCHER.match(text, pos)
        if found is None:
            bad = clean(text[pos:], single_line=True, max_len=40)
            raise ValueError(f'cannot read {bad!r}: write name="value", name=~"regex", ...')
        name, op, value = found.group(1), found.group(2), found.group(3)
        value = re.sub(r"\\(.)", r"\1", value)
        out.append(Matcher(name, value, regex="~" in op, equal=not op.startswith("!")))
        pos = found.end()
    return tuple(out)


def parse_duration(text: str) -> timedelta:
    """`2h`, `30m`, `1d12h` as a timedelta (ValueError otherwise)."""
    compact = text.strip().replace(" ", "")
    if not compact or _DURATION.sub("", compact):
        raise ValueError(f"duration {clean(text, max_len=20)!r}: write e.g. 30m, 2h or 1d")
    units = {"m": 60, "h": 3600, "d": 86400}
    return timedelta(seconds=sum(int(n) * units[u] for n, u in _DURATION.findall(compact)))


def matchers_from_labels(labels: Mapping[str, str]) -> tuple[Matcher, ...]:
    """Equality matchers from an alert's labels (the dialog lets the operator edit them)."""
    return tuple(Matcher(str(k), str(v)) for k, v in sorted(labels.items()))


class SilenceApi:
    """Alertmanager's v2 silence endpoints, one blocking call each, with a deadline."""

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        """One request; a transport failure comes back as RuntimeError with its reason."""
        import httpx  # only when a silence is read or written: not on the start-up path

        try:
            with httpx.Client(timeout=self.timeout_s) as http:
                reply = http.request(method, f"{self.url}/api/v2{path}", json=body)
        except httpx.HTTPError as err:
            raise RuntimeError(f"Alertmanager unreachable: {type(err).__name__}: {err}") from err
        if reply.status_code >= 400:
            why = clean(reply.text, single_line=True, max_len=160)
            raise RuntimeError(f"Alertmanager answered {reply.status_code}: {why}")
        return reply.json() if reply.content else None

    def create(self, draft: SilenceDraft, starts: datetime, created_by: str) -> str:
        """POST /api/v2/silences; the new silence's id."""
        body = {"matchers": [m.to_api() for m in draft.matchers], "startsAt": rfc3339(starts),
                "endsAt": rfc3339(starts + draft.duration), "createdBy": created_by,
                "comment": draft.comment}  # fmt: skip
        answer = self._call("POST", "/silences", body)
        return clean(str((answer or {}).get("silenceID", "")), single_line=True, max_len=64)

    def list(self) -> list[Silence]:
        """GET /api/v2/silences: every silence Alertmanager knows, newest end first."""
        found = [_silence(item) for item in self._call("GET", "/silences") or []]
        return sorted(found, key=lambda s: (s.state != "active", s.silence_id))

    def expire(self, silence_id: str) -> None:
        """DELETE /api/v2/silence/{id}."""
        if not re.fullmatch(r"[0-9A-Za-z-]{1,64}", silence_id):
            raise ValueError(f"{clean(silence_id, max_len=70)!r} is not a silence id")
        self._call("DELETE", f"/silence/{silence_id}")


def _when(value: object) -> datetime | None:
    try:
        return parse_rfc3339(str(value))
    except ValueError:
        return None


def _silence(item: Mapping[str, Any]) -> Silence:
    def text(value: object, size: int = 200) -> str:
        return clean(str(value or ""), single_line=True, max_len=size)

    matchers = tuple(
        Matcher(
            text(m.get("name"), 100),
            text(m.get("value")),
            bool(m.get("isRegex")),
            bool(m.get("isEqual", True)),
        )
        for m in item.get("matchers") or ()
        if isinstance(m, Mapping)
    )
    return Silence(text(item.get("id"), 64), text((item.get("status") or {}).get("state"), 20),
                   matchers, _when(item.get("startsAt")), _when(item.get("endsAt")),
                   text(item.get("createdBy"), 80), text(item.get("comment"), 300))  # fmt: skip


def check_draft(draft: SilenceDraft) -> str | None:
    """Why the draft cannot be sent (None: it can)."""
    if not draft.matchers:
        return "a silence needs at least one matcher"
    for m in draft.matchers:
        if not re.fullmatch(LABEL_NAME, m.name):
            return f"matcher name {clean(m.name, max_len=40)!r} is not a label name"
        if m.regex:
            try:
                re.compile(m.value)
            except re.error as err:
                return f"matcher {m.name}: bad regular expression ({err})"
    if all(_matches_empty(m) for m in draft.matchers):
        return "at least one matcher must select a value (name=value), or it silences everything"
    if not draft.comment.strip():
        return "a comment is required: say why the alert is silenced"
    if draft.duration <= timedelta(0) or draft.duration > timedelta(hours=MAX_HOURS):
        return f"the duration must be between one minute and {MAX_HOURS} hours"
    return None


def _matches_empty(m: Matcher) -> bool:
    """True when the matcher also matches alerts without the label (Alertmanager's rule)."""
    hit = re.fullmatch(m.value, "") is not None if m.regex else m.value == ""
    return hit == m.equal


def create(ctx: ActionContext, api: SilenceApi | None, draft: SilenceDraft) -> Result:
    """Create the silence in Alertmanager (a follow-up), then record `silence.created`."""
    refused = _gate(ctx, api)
    if refused is not None:
        return refused
    problem = check_draft(draft)
    if problem is not None:
        return Refused(problem)
    assert api is not None
    starts, author = ctx.now(), ctx.author

    def run() -> Done:
        try:
            silence_id = api.create(draft, starts, author)
        except (RuntimeError, ValueError) as err:
            return Done(False, f"silence not created: {clean(err, single_line=True, max_len=120)}")
        event = SilenceCreated(silence_id, tuple(m.to_api() for m in draft.matchers),
                               rfc3339(starts), rfc3339(starts + draft.duration),
                               draft.comment.strip(), author, draft.alert, author)  # fmt: skip
        return Done(True, f"silence {silence_id} created", (event,), silence_id)

    return Outcome((), "", (Followup("creating the silence in Alertmanager", run),))


def listing(ctx: ActionContext, api: SilenceApi | None) -> Followup | Refused:
    """The silences Alertmanager holds (reading changes nothing)."""
    if api is None:
        return Refused("Alertmanager is not configured ([alertmanager] url in the config)")
    refused = ctx.refusal(Capability.READ_PLATFORM)
    if refused is not None:
        return refused

    def run() -> Done:
        try:
            found = api.list()
        except (RuntimeError, ValueError) as err:
            return Done(False, f"silences not read: {clean(err, single_line=True, max_len=120)}")
        active = sum(1 for s in found if s.state == "active")
        return Done(True, f"{active} active silence(s)", (), found)

    return Followup("reading the silences", run)


def expire(ctx: ActionContext, api: SilenceApi | None, silence: Silence) -> Result:
    """Expire `silence` now (a follow-up), then record `silence.expired`."""
    refused = _gate(ctx, api)
    if refused is not None:
        return refused
    assert api is not None
    author = ctx.author

    def run() -> Done:
        try:
            api.expire(silence.silence_id)
        except (RuntimeError, ValueError) as err:
            return Done(False, f"silence not expired: {clean(err, single_line=True, max_len=120)}")
        event = SilenceExpired(silence.silence_id, tuple(m.to_api() for m in silence.matchers),
                               author)  # fmt: skip
        return Done(True, f"silence {silence.silence_id} expired", (event,))

    return Outcome((), "", (Followup(f"expiring silence {silence.silence_id}", run),))


def _gate(ctx: ActionContext, api: SilenceApi | None) -> Refused | None:
    refused = ctx.refusal(Capability.EXTERNAL)
    if refused is not None:
        return refused
    if api is None:
        return Refused("Alertmanager is not configured ([alertmanager] url in the config)")
    return None
