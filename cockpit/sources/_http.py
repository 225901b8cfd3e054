"""HTTP plumbing shared by the JSON sources: one deadline, a capped body, errors as SourceError."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import re
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypedDict, TypeVar

import httpx

from cockpit.clock import Clock, SystemClock
from cockpit.sanitize import clean
from cockpit.settings.secrets import Secret, reveal
from cockpit.sources.base import SourceError

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Answers larger than this are refused (`[sources] max_answer_mb`): a runaway query must not
eat the cockpit's memory. Measured: 14,000 Alertmanager alerts with a summary, a description
and six labels are 10.5 MB; 8 MB holds ~10,000 such alerts or ~16,000 terse ones."""

_ERROR_BODY_BYTES = 4096

_DRAIN_FACTOR = 4
"""Past the cap, up to this many times the cap is read (and dropped) to say how big it was."""

OFFLOAD_BYTES = 256 * 1024
"""Bodies at least this big are decoded and normalised in a worker thread, a JSON array one
element at a time (see `_json_stream`): json.loads holds the GIL for the whole document
(0.23 s for 10 MB), which would freeze the UI even from a thread."""

T = TypeVar("T")

_USERINFO = re.compile(r"//[^/@]*@")


class HttpOptions(TypedDict, total=False):
    """How to reach one HTTP source; every source passes these through to HttpJson, which
    holds the defaults and validates them."""

    headers: Mapping[str, str | Secret] | None
    bearer_token: str | Secret | None
    verify_tls: bool
    ca_file: str | None
    timeout_s: float
    max_body_bytes: int
    transport: httpx.AsyncBaseTransport | None
    clock: Clock | None


def _identity(data: Any) -> Any:
    return data


class HttpJson:
    """An httpx.AsyncClient bound to one server, with the cockpit's rules for every GET.

    No retries anywhere: httpx does none by default and we do not add any; the scheduler
    decides when to try again.
    """

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str | Secret] | None = None,
        bearer_token: str | Secret | None = None,
        verify_tls: bool = True,
        ca_file: str | None = None,
        timeout_s: float = 5.0,
        max_body_bytes: int = MAX_BODY_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        try:
            base: httpx.URL | None = httpx.URL(url) if isinstance(url, str) else None
        except httpx.InvalidURL:
            base = None
        if base is None or base.scheme not in ("http", "https") or not base.host:
            shown = clean(_USERINFO.sub("//", str(url)), single_line=True, max_len=120)
            raise SourceError("config", f"url must be http(s)://host[:port][/path], got {shown!r}")
        if not 0 < timeout_s <= 300:
            raise SourceError("config", f"timeout_s must be in (0, 300] seconds, got {timeout_s}")
        if bearer_token and (base.username or base.password):
            raise SourceError("config", "give credentials in the url or a bearer token, not both")
        self.timeout_s = timeout_s
        self.max_body_bytes = max_body_bytes
        # Never show credentials from the URL in a pane or a log line.
        self.where = f"{base.host}:{base.port}" if base.port else base.host
        self._clock = clock or SystemClock()
        all_headers = {"Accept": "application/json", "User-Agent": "incident-cockpit"}
        # Secrets are revealed here, into the client, and nowhere else.
        all_headers.update({k: v.reveal() if isinstance(v, Secret) else v
                            for k, v in (headers or {}).items()})  # fmt: skip
        if bearer_token:
            all_headers["Authorization"] = f"Bearer {reveal(bearer_token)}"
        try:
            self._client = httpx.AsyncClient(
                base_url=base,
                headers=all_headers,
                # Plain-http servers never use TLS: skip loading the CA bundle (~30 ms).
                verify=_tls(verify_tls, ca_file) if base.scheme == "https" else False,
                timeout=httpx.Timeout(timeout_s),
                transport=transport,
                follow_redirects=False,
                trust_env=False,
            )
        except (ValueError, TypeError, httpx.InvalidURL) as exc:
            raise SourceError(
                "config", f"bad HTTP settings: {clean(exc, single_line=True)}"
            ) from exc

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._client.aclose()

    async def get_json(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        parse: Callable[[Any], T] = _identity,
    ) -> T:
        """GET `path`, decode the JSON and pass it through `parse`, all within `timeout_s`.

        `parse` (pure, may raise SourceError) runs in a worker thread for big answers.
        """
        received = 0
        try:
            async with asyncio.timeout(self.timeout_s):
                body = await self._get(path, params)
                received = len(body)
                if received < OFFLOAD_BYTES:
                    return decode_then(body, parse)
                stop = threading.Event()
                try:
                    return await asyncio.to_thread(decode_then, body, parse, stop)
                finally:
                    stop.set()  # a thread still decoding after the deadline gives up
        except TimeoutError:
            if received:
                raise SourceError(
                    "timeout",
                    f"answer of {megabytes(received)} from {self.where} received but not "
                    f"processed within {self.timeout_s:g} s",
                ) from None
            raise SourceError(
                "timeout", f"no answer from {self.where} within {self.timeout_s:g} s"
            ) from None
        except httpx.ConnectTimeout:
            raise SourceError("connect", f"cannot connect to {self.where}: timed out") from None
        except httpx.TimeoutException:
            raise SourceError(
                "timeout", f"no answer from {self.where} within {self.timeout_s:g} s"
            ) from None
        except (httpx.NetworkError, httpx.UnsupportedProtocol) as exc:
            raise SourceError("connect", f"cannot reach {self.where}: {_short(exc)}") from None
        except httpx.HTTPError as exc:
            raise SourceError("http", f"{self.where}: {_short(exc)}") from None

    async def _get(self, path: str, params: Mapping[str, str] | None) -> bytes:
        async with self._client.stream("GET", path, params=params) as resp:
            if resp.status_code >= 300:
                head = await _read_capped(resp, _ERROR_BODY_BYTES, truncate=True)
                raise self._status_error(resp, head)
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise self._too_large(int(declared), exact=True)
            body, size = await _read_up_to(resp, self.max_body_bytes)
            if body is None:
                drained = self.max_body_bytes * _DRAIN_FACTOR
                raise self._too_large(min(size, drained), exact=size <= drained)
        return body

    def _too_large(self, size: int, *, exact: bool) -> SourceError:
        size_text = megabytes(size) if exact else f"more than {megabytes(size)}"
        return SourceError(
            "too_large",
            f"answer of {size_text} from {self.where} is over the "
            f"{megabytes(self.max_body_bytes)} limit ([sources] max_answer_mb)",
        )

    def _status_error(self, resp: httpx.Response, head: bytes | None) -> SourceError:
        status = resp.status_code
        detail = _error_detail(head or b"")
        suffix = f": {detail}" if detail else ""
        if status in (401, 403):
            return SourceError("auth", f"HTTP {status} from {self.where}: check the token{suffix}")
        if status == 429:
            wait = self._retry_after(resp.headers.get("retry-after"))
            return SourceError(
                "rate_limited", f"HTTP 429 from {self.where}{suffix}", retry_after_s=wait
            )
        return SourceError("http", f"HTTP {status} from {self.where}{suffix}")

    def _retry_after(self, value: str | None) -> float | None:
        if not value:
            return None
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, (when - self._clock.now()).total_seconds())


def _tls(verify_tls: bool, ca_file: str | None) -> ssl.SSLContext | bool:
    if not verify_tls:
        return False
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise SourceError("config", f"cannot load ca_file {ca_file!r}: {_short(exc)}") from None


async def _read_capped(resp: httpx.Response, cap: int, *, truncate: bool) -> bytes | None:
    """Read at most `cap` decoded bytes; None (or the head if `truncate`) when there is more."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > cap:
            if truncate:
                chunks.append(chunk)
                return b"".join(chunks)[:cap]
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_up_to(resp: httpx.Response, cap: int) -> tuple[bytes | None, int]:
    """The body and its size; past `cap` bytes nothing more is kept (None) but reading goes
    on, up to `_DRAIN_FACTOR` x cap, to say how big the answer was."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > cap:
            chunks.clear()
            if size > cap * _DRAIN_FACTOR:
                return None, size
            continue
        chunks.append(chunk)
    return (None, size) if size > cap else (b"".join(chunks), size)


def megabytes(size: int) -> str:
    """`10.5 MB` (binary megabytes, one decimal)."""
    return f"{size / 2**20:.1f} MB"


def decode_then(body: bytes, parse: Callable[[Any], T], stop: threading.Event | None = None) -> T:
    """Decode `body` and pass it through `parse`; a big top-level array is decoded lazily,
    one element at a time, so no single step holds the GIL for long (a JsonArray)."""
    if stop is None:
        return parse(decode_json(body))
    with _gc_paused():
        if body[:64].lstrip()[:1] == b"[":
            return parse(JsonArray(body, stop))
        return parse(decode_json(body))


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = True


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a worker builds a big answer's objects: a full collection over
    them held the GIL (so the UI) for 120-160 ms per 10 MB answer. Nothing built here is
    cyclic; reference counting frees the raw elements as they are dropped."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        _gc_holders += 1
        if _gc_holders == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


class JsonArray:
    """A JSON array decoded one element per step as it is iterated (once).

    Each step is one short `raw_decode`, so a worker thread decoding 10 MB lets the event
    loop run between elements, and each raw element can be dropped once normalised.
    """

    def __init__(self, body: bytes, stop: threading.Event | None = None) -> None:
        try:
            self._text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError("parse", f"not UTF-8 JSON (byte {exc.start})") from None
        self._stop = stop

    def __iter__(self) -> Iterator[Any]:
        text, ws = self._text, _skip
        decode = _DECODER.raw_decode
        at = ws(text, 0)
        if text[at : at + 1] != "[":
            raise _not_json(text, at)
        at = ws(text, at + 1)
        if text[at : at + 1] == "]":
            return self._end(text, at + 1)
        while True:
            if self._stop is not None and self._stop.is_set():
                raise SourceError("timeout", "decoding abandoned at the deadline")
            try:
                item, at = decode(text, at)
            except ValueError:
                raise _not_json(text, at) from None
            yield item
            at = ws(text, at)
            sep = text[at : at + 1]
            if sep == "]":
                return self._end(text, at + 1)
            if sep != ",":
                raise _not_json(text, at)
            at = ws(text, at + 1)

    def _end(self, text: str, at: int) -> None:
        if _skip(text, at) != len(text):
            raise _not_json(text, at)
        self._text = ""  # iterated once: free the text now


_WS = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """Index of the first non-whitespace character at or after `at`."""
    found = _WS.match(text, at)
    return found.end() if found else at


_DECODER = json.JSONDecoder()


def _not_json(text: str, at: int) -> SourceError:
    near = clean(text[at : at + 40], single_line=True)
    return SourceError("parse", f"not JSON: {near!r} (at character {at:,})")


def decode_json(body: bytes) -> Any:
    """Decode a JSON body, or raise SourceError("parse") quoting its start (sanitised)."""
    try:
        return json.loads(body)
    except ValueError:
        start = clean(body[:60].decode("utf-8", "replace"), single_line=True)
        raise SourceError("parse", f"not JSON: {start!r}") from None


def _error_detail(head: bytes) -> str:
    """Prometheus/Alertmanager explain errors in JSON; anything else is quoted briefly."""
    try:
        data = json.loads(head)
    except ValueError:
        return clean(head[:60].decode("utf-8", "replace"), single_line=True).strip()
    if isinstance(data, Mapping) and "error" in data:
        return clean(data["error"], single_line=True, max_len=200).strip()
    if isinstance(data, str):
        return clean(data, single_line=True, max_len=200).strip()
    return ""


def _short(exc: BaseException) -> str:
    text = clean(str(exc) or type(exc).__name__, single_line=True, max_len=160)
    return text.strip() or type(exc).__name__
