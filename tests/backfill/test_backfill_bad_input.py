"""`cockpit backfill` on bad input: a clear error, exit 2, and no log left behind."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cockpit.cli import main as cli_main

WINDOW = ["--from", "2025-03-12T14:00:00Z", "--to", "2025-03-12T15:00:00Z"]


class Answer:
    """What the loopback server answers, and how many requests it saw."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"<html>Grafana login</html>"
        self.seen = 0


@pytest.fixture
def server() -> Iterator[tuple[str, Answer]]:
    answer = Answer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer.seen += 1
            self.send_response(answer.status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", answer
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(tmp_path: Path, url: str | None, *extra: str) -> tuple[int, Path]:
    config = tmp_path / "cockpit.toml"
    config.write_text(f'[prometheus]\nurl = "{url}"\n' if url else "[ui]\n", encoding="utf-8")
    log = tmp_path / "out.jsonl"
    code = cli_main(["backfill", "--config", str(config), *WINDOW, "-o", str(log), *extra])
    return code, log


def _left(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name != "cockpit.toml")


def test_unreachable_prometheus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _log = run(tmp_path, f"http://127.0.0.1:{port}")
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach Prometheus at http://127.0.0.1:" in err
    assert "[prometheus] url" in err and _left(tmp_path) == []


def test_garbage_answer_is_named_and_not_retried(
    tmp_path: Path, server: tuple[str, Answer], capsys: pytest.CaptureFixture[str]
) -> None:
    url, answer = server
    code, _log = run(tmp_path, url)
    err = capsys.readouterr().err
    assert code == 2 and "did not answer like a Prometheus API" in err
    assert _left(tmp_path) == []
    answer.status, answer.seen = 503, 0
    code, _log = run(tmp_path, url)
    err = capsys.readouterr().err
    assert code == 2 and "refused 'ALERTS'" in err and "503" in err
    assert answer.seen == 1  # one request, no hidden retry
    answer.status, answer.body = 200, b'{"status": "success", "data": {"result": [{"x": 1}]}}'
    code, _log = run(tmp_path, url)
    assert code == 2 and "malformed series" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (("--from", "2025-03-12T16:00:00Z"), "start before it ends"),
        (("--from", "yesterday"), "RFC 3339"),
        (("--from", "T+01:00"), "first event"),
        (("--step", "0s"), "--step"),
        (("--step", "1s", "--from", "2025-03-01T00:00:00Z"), "raise --step"),
    ],
)
def test_bad_window_or_step(
    tmp_path: Path, extra: tuple[str, ...], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _log = run(tmp_path, "http://127.0.0.1:9", *extra)
    assert code == 2 and says in capsys.readouterr().err
    assert _left(tmp_path) == []


def test_no_prometheus_url_and_existing_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _log = run(tmp_path, None)
    assert code == 2 and "set [prometheus] url" in capsys.readouterr().err
    (tmp_path / "out.jsonl").write_text("precious\n", encoding="utf-8")
    code, log = run(tmp_path, "http://127.0.0.1:9")
    assert code == 2 and "exists" in capsys.readouterr().err
    assert log.read_text(encoding="utf-8") == "precious\n"
