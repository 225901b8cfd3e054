"""A loopback fake of the Slack Web API methods the outbox uses, for `slack_sdk.WebClient`.

Methods (under `/api/`): auth.test, conversations.create/join/invite/list/history and
chat.postMessage, taking form, query or JSON arguments like Slack. API errors are HTTP 200
with `{"ok": false, "error": ...}`; `rate_limit` answers 429 with Retry-After, and
`go_down`/`come_back` close and reopen the port (connection refused meanwhile).
"""

from __future__ import annotations

import hmac
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request

PREFIX = "/api/"
BOT_USER = "UCOCKPIT1"


@dataclass(slots=True)
class Channel:
    """One channel of the fake workspace."""

    id: str
    name: str
    members: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)


class SlackFake(FakeServer):
    """Slack's Web API on loopback; the client's base URL is `api_url`."""

    def __init__(self, *, token: str = "xoxb-fake-cockpit-token", port: int = 0,  # noqa: S107
                 channels: tuple[str, ...] = ("incidents",)) -> None:  # fmt: skip
        super().__init__(port=port)
        self.token = token
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self.channels: dict[str, Channel] = {}
        for name in channels:
            self._create(name)

    @property
    def api_url(self) -> str:
        """The base URL to give `WebClient` (and `[slack] base_url`)."""
        return self.url + PREFIX

    # -- faults -------------------------------------------------------------------------
    def rate_limit(self, next_n: int = 1, retry_after_s: int = 1) -> None:
        """Answer the next `next_n` calls with 429 and `Retry-After` (whole seconds)."""
        self.set_fault(PREFIX, status=429, times=next_n,
                       headers={"Retry-After": str(retry_after_s)})  # fmt: skip

    def go_down(self) -> None:
        """Close the port: clients get connection refused until `come_back`."""
        self._port = self.port
        self.stop()

    def come_back(self) -> None:
        """Serve again on the same port."""
        self.start()

    # -- reading the workspace (tests and the demo) ---------------------------------------
    def channel(self, name: str) -> Channel | None:
        """The channel named `name` (without `#`)."""
        with self._lock:
            return next((c for c in self.channels.values() if c.name == name), None)

    def texts(self, name: str) -> list[str]:
        """The texts posted in channel `name`, oldest first."""
        found = self.channel(name)
        with self._lock:
            return [str(m["text"]) for m in found.messages] if found is not None else []

    # -- HTTP ---------------------------------------------------------------------------
    def authorize(self, request: Request) -> None:
        """A bot token as `Authorization: Bearer`; Slack answers a bad one with 200."""
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {self.token}".encode()):
            raise ApiError(200, "invalid_auth")

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Slack's error shape: `{"ok": false, "error": code}`."""
        code = "ratelimited" if error.status == 429 else error.message
        return Reply.json(error.status, {"ok": False, "error": code}, error.headers)

    def route(self, request: Request) -> Reply:
        """One Web API method."""
        if not request.path.startswith(PREFIX):
            raise ApiError(404, "unknown_method")
        method = request.path[len(PREFIX) :]
        handler = _METHODS.get(method)
        if handler is None:
            raise ApiError(200, "unknown_method")
        with self._lock:
            answer = handler(self, _args(request))
        return Reply.json(200, {"ok": True, **answer})

    # -- methods ------------------------------------------------------------------------
    def _create(self, name: str) -> Channel:
        channel = Channel(f"C{next(self._ids):08d}", name, [BOT_USER])
        self.channels[channel.id] = channel
        return channel

    def _find(self, args: dict[str, str]) -> Channel:
        channel = self.channels.get(args.get("channel", ""))
        if channel is None:
            raise ApiError(200, "channel_not_found")
        return channel

    def auth_test(self, _args: dict[str, str]) -> dict[str, Any]:
        return {"url": self.url + "/", "team": "cockpit-demo", "user": "cockpit",
                "user_id": BOT_USER, "bot_id": "BCOCKPIT1"}  # fmt: skip

    def create(self, args: dict[str, str]) -> dict[str, Any]:
        name = args.get("name", "")
        if not name or name != name.lower() or len(name) > 80 or "#" in name or " " in name:
            raise ApiError(200, "invalid_name_specials")
        if any(c.name == name for c in self.channels.values()):
            raise ApiError(200, "name_taken")
        return {"channel": _channel_json(self._create(name))}

    def join(self, args: dict[str, str]) -> dict[str, Any]:
        channel = self._find(args)
        if BOT_USER not in channel.members:
            channel.members.append(BOT_USER)
        return {"channel": _channel_json(channel)}

    def invite(self, args: dict[str, str]) -> dict[str, Any]:
        channel = self._find(args)
        users = [u for u in args.get("users", "").split(",") if u]
        if not users:
            raise ApiError(200, "no_user")
        if all(u in channel.members for u in users):
            raise ApiError(200, "already_in_channel")
        channel.members.extend(u for u in users if u not in channel.members)
        return {"channel": _channel_json(channel)}

    def listing(self, args: dict[str, str]) -> dict[str, Any]:
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        channels = list(self.channels.values())
        page = channels[start : start + limit]
        more = str(start + limit) if start + limit < len(channels) else ""
        return {"channels": [_channel_json(c) for c in page],
                "response_metadata": {"next_cursor": more}}  # fmt: skip

    def post(self, args: dict[str, str]) -> dict[str, Any]:
        channel = self._find(args)
        if BOT_USER not in channel.members:
            raise ApiError(200, "not_in_channel")
        text = args.get("text", "")
        if not text:
            raise ApiError(200, "no_text")
        message = {"type": "message", "user": BOT_USER, "text": text,
                   "ts": f"{1_700_000_000 + next(self._ts)}.000100"}  # fmt: skip
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def history(self, args: dict[str, str]) -> dict[str, Any]:
        channel = self._find(args)
        return {"messages": list(reversed(channel.messages)), "has_more": False}


def _channel_json(channel: Channel) -> dict[str, Any]:
    return {"id": channel.id, "name": channel.name, "is_channel": True, "is_member": True,
            "num_members": len(channel.members)}  # fmt: skip


def _args(request: Request) -> dict[str, str]:
    args = {k: v[-1] for k, v in request.query.items()}
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        body = request.json()
        if isinstance(body, dict):
            args.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    elif request.body:
        form = parse_qs(request.body.decode("utf-8", errors="replace"))
        args.update({k: v[-1] for k, v in form.items()})
    return args


_METHODS = {
    "auth.test": SlackFake.auth_test,
    "conversations.create": SlackFake.create,
    "conversations.join": SlackFake.join,
    "conversations.invite": SlackFake.invite,
    "conversations.list": SlackFake.listing,
    "chat.postMessage": SlackFake.post,
    "conversations.history": SlackFake.history,
}
