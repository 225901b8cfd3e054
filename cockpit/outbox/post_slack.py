"""Posts Slack deliveries through the real `slack_sdk` client (one attempt, no retry)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cockpit.outbox.delivery import Attempt, Delivery
from cockpit.sanitize import clean
from cockpit.settings.secrets import redact

if TYPE_CHECKING:
    from slack_sdk import WebClient

_IGNORED = frozenset({"already_in_channel", "cant_invite_self", "already_in_team"})
"""Invite answers that mean the person is there already: not a failure."""
MAX_RETRY_AFTER_S = 300.0


class SlackPoster:
    """One delivery at a time (called from the Slack lane's thread only)."""

    def __init__(
        self,
        make_client: Callable[[], WebClient],
        *,
        incidents_channel: str | None = None,
        people: Mapping[str, str] | None = None,
    ) -> None:
        self._make = make_client
        self._client: WebClient | None = None
        self._incidents = incidents_channel
        self._people = dict(people or {})
        self._ids: dict[str, str] = {}
        """Channel name -> id, learnt from Slack."""

    def deliver(self, d: Delivery) -> Attempt:
        """Post `d`; a failure says why (without secrets) and when Slack allows a retry."""
        from slack_sdk.errors import SlackApiError

        try:
            client = self._client or self._make()
            self._client = client
            if d.kind == "announce":
                if not self._incidents:
                    return Attempt(d, True)
                channel = self._channel(client, self._incidents, create=False)
            else:
                channel = self._channel(client, d.channel, create=True)
                self._invite(client, channel, d.invite)
            answer = client.chat_postMessage(channel=channel, text=d.text, mrkdwn=False)
            return Attempt(d, True, channel_id=channel, message_ts=str(answer.get("ts", "")))
        except SlackApiError as err:
            return _failed(d, err.response.status_code, err.response.get("error"),
                           err.response.headers)  # fmt: skip
        except LookupError as err:
            return Attempt(d, False, _reason(str(err)))
        except Exception as err:  # urllib/socket/ssl errors: Slack is down or slow
            return Attempt(d, False, _reason(f"Slack unreachable: {type(err).__name__}: {err}"))

    def _channel(self, client: WebClient, name: str, *, create: bool) -> str:
        known = self._ids.get(name)
        if known:
            return known
        from slack_sdk.errors import SlackApiError

        channel_id = ""
        if create:
            try:
                channel_id = str(client.conversations_create(name=name)["channel"]["id"])
            except SlackApiError as err:
                if err.response.get("error") != "name_taken":
                    raise
        if not channel_id:
            channel_id = self._find(client, name)
            client.conversations_join(channel=channel_id)
        self._ids[name] = channel_id
        return channel_id

    def _find(self, client: WebClient, name: str) -> str:
        cursor = ""
        for _page in range(50):
            answer = client.conversations_list(cursor=cursor or None, limit=200,
                                               exclude_archived=True)  # fmt: skip
            for channel in answer.get("channels") or []:
                if channel.get("name") == name:
                    return str(channel["id"])
            cursor = str((answer.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        raise LookupError(f"channel #{name} not found in Slack: create it or invite the bot")

    def _invite(self, client: WebClient, channel: str, names: tuple[str, ...]) -> None:
        from slack_sdk.errors import SlackApiError

        users = [self._people[n] for n in names if n in self._people]
        if not users:
            return
        try:
            client.conversations_invite(channel=channel, users=",".join(users))
        except SlackApiError as err:
            if err.response.get("error") not in _IGNORED:
                raise


def _failed(d: Delivery, status: int, code: Any, headers: Mapping[str, Any]) -> Attempt:
    retry_after: float | None = None
    if status == 429:
        retry_after = _seconds(headers.get("Retry-After") or headers.get("retry-after"))
    return Attempt(d, False, _reason(f"Slack {status}: {code or 'error'}"), retry_after)


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _reason(text: str) -> str:
    return clean(redact(text), max_len=200, single_line=True)
