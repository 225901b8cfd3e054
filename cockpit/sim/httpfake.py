"""A small threaded loopback HTTP(S) server base shared by the Kubernetes and PagerDuty fakes."""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BODY_BYTES = 1 << 20
MAX_LOGGED_REQUESTS = 10_000  # a long `cockpit demo` must not grow without bound
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-api-key"})


class ApiError(Exception):
    """An HTTP error the fake answers with, rendered in the API's own error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        reason: str = "",
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.headers = dict(headers or {})
        self.details = dict(details or {})


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed incoming request, as handed to a fake's router."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter `name`, or `default`."""
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The body decoded as JSON; a malformed body is the client's fault (400)."""
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, f"request body is not valid JSON: {exc}") from None


@dataclass(frozen=True, slots=True)
class Reply:
    """What the router answers: status, body and content type."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Reply:
        """A JSON reply."""
        return Reply(status, json.dumps(payload).encode(), "application/json", dict(headers or {}))


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake saw it (secret headers redacted), for tests to assert on."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: str
    status: int


@dataclass(slots=True)
class _Fault:
    pattern: re.Pattern[str]
    status: int | None
    delay_s: float
    method: str | None
    remaining: int | None
    headers: Mapping[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections must not hold stop() until their read timeout.
    block_on_close = False
    # socketserver's default listen backlog is 5: a burst of parallel queries (three panes
    # on one Prometheus) overflowed it and the dropped SYNs came back after Linux's 1 s
    # retransmit, past a 1 s deadline. Real servers listen with the system's backlog.
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], fake: FakeServer, tls: ssl.SSLContext | None):
        self.fake = fake
        self.tls = tls
        super().__init__(addr, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        if self.tls is not None:
            # The handshake runs later in the handler thread, so a silent client cannot
            # stall the accept loop.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Resets, TLS failures and timeouts from clients are normal here: never print.
        self.fake.note_connection_error()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15
    server: _Server

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = self._read_body(headers)
            request = Request(self.command, split.path, parse_qs(split.query), headers, body)
        except ApiError as exc:
            request = Request(self.command, split.path, parse_qs(split.query), headers, b"")
            reply = fake.error_reply(exc, request)
            self.close_connection = True
        else:
            reply = fake.dispatch(request)
        fake.record(request, reply.status)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def _read_body(self, headers: Mapping[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise ApiError(411, "chunked bodies are not supported: send Content-Length")
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise ApiError(400, "Content-Length is not a number") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        return self.rfile.read(length) if length else b""


class FakeServer:
    """Base of the loopback fakes: lifecycle, request log, fault injection, crash safety.

    Subclasses implement `route` (and may override `authorize` and `error_reply`). The
    server binds 127.0.0.1; port 0 picks a free port, read back through `url`.
    """

    def __init__(self, *, port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self._port = port
        self._tls = tls
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._faults: list[_Fault] = []
        self._log: deque[RecordedRequest] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.connection_errors = 0

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        """Bind and serve in a daemon thread (idempotent)."""
        if self._server is not None:
            return
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self._port), self, self._tls)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=type(self).__name__, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port; delayed requests are cut short."""
        server, self._server = self._server, None
        self._stopping.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started: call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:41234 (https when serving TLS)."""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -- request log and faults ---------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the request log, oldest first (the newest MAX_LOGGED_REQUESTS)."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._log.clear()

    def set_fault(
        self,
        path_regex: str,
        *,
        status: int | None = None,
        delay_s: float = 0.0,
        method: str | None = None,
        times: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Make matching requests wait `delay_s` and/or fail with `status`.

        `path_regex` is searched in the URL path; `times` limits how many requests the
        fault hits (None: until clear_faults). The first matching fault wins.
        """
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, got {status}")
        if delay_s < 0 or (times is not None and times < 1):
            raise ValueError("delay_s must be >= 0 and times >= 1")
        fault = _Fault(
            re.compile(path_regex),
            status,
            delay_s,
            method and method.upper(),
            times,
            dict(headers or {}),
        )
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()

    def record(self, request: Request, status: int) -> None:
        """Append a request to the log (secret headers redacted)."""
        headers = {
            k: ("<redacted>" if k in _SECRET_HEADERS else v) for k, v in request.headers.items()
        }
        body = request.body.decode("utf-8", errors="replace")
        entry = RecordedRequest(request.method, request.path, request.query, headers, body, status)
        with self._lock:
            self._log.append(entry)

    def note_connection_error(self) -> None:
        """Count a connection that failed below HTTP (reset, TLS, timeout)."""
        with self._lock:
            self.connection_errors += 1

    def dispatch(self, request: Request) -> Reply:
        """Faults, then auth, then the router; any crash becomes a 500 in the API's shape."""
        try:
            fault = self._take_fault(request)
            if fault is not None:
                if fault.delay_s:
                    self._stopping.wait(fault.delay_s)
                if fault.status is not None:
                    message = f"injected fault {fault.status}"
                    raise ApiError(fault.status, message, headers=fault.headers)
            self.authorize(request)
            return self.route(request)
        except ApiError as exc:
            return self.error_reply(exc, request)
        except Exception as exc:  # the server thread must survive any bug or odd input
            crash = ApiError(500, f"fake crashed: {type(exc).__name__}: {exc}")
            return self.error_reply(crash, request)

    def _take_fault(self, request: Request) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method not in (None, request.method):
                    continue
                if not fault.pattern.search(request.path):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    # -- hooks for subclasses ------------------------------------------------------------
    def authorize(self, request: Request) -> None:
        """Raise ApiError(401) when the request lacks valid credentials."""

    def route(self, request: Request) -> Reply:
        """Answer one request."""
        raise ApiError(404, f"no route for {request.method} {request.path}")

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """Render an error in the API's shape (plain JSON by default)."""
        return Reply.json(error.status, {"error": error.message}, error.headers)
