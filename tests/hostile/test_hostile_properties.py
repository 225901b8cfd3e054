"""Properties of the sanitiser, the log round trip and the runbook parser under hostile text."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.clock import FrozenClock, parse_rfc3339
from cockpit.log.events import NoteAdded
from cockpit.log.reader import LogReader
from cockpit.log.store import IncidentLog
from cockpit.runbook.model import RunbookError
from cockpit.runbook.parse import parse_runbook
from cockpit.sanitize import clean

SHIPPED = Path(__file__).resolve().parents[2] / "runbooks" / "RB-001-api-latency.md"
SAFE = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Cf"), blacklist_characters="\x1b\x9b\x9d"
    )
)
FIXED = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(st.text())
def test_clean_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once


@given(SAFE)
def test_printable_text_passes_unchanged(text: str) -> None:
    assert clean(text) == text


@given(st.text(), st.integers(min_value=1, max_value=80))
def test_single_line_cap_holds(text: str, cap: int) -> None:
    out = clean(text, single_line=True, max_len=cap)
    assert len(out) <= cap
    assert not re.search("[\n\t]", out)


@FIXED
@given(st.lists(st.text(max_size=200), min_size=1, max_size=5))
def test_log_keeps_hostile_text_exactly_and_reads_it_back(tmp_path: Path, texts: list[str]) -> None:
    """The log stores what arrived, byte for byte; only rendering sanitises."""
    path = tmp_path / "notes.jsonl"
    path.unlink(missing_ok=True)
    log, _ = IncidentLog.open(path, clock=FrozenClock(parse_rfc3339("2025-03-12T14:30:00Z")))
    for n, text in enumerate(texts):
        log.append(NoteAdded(f"n{n}", text, "t@h", (text[:10],)))
    log.close()
    notes = [r.event.data for r in LogReader(path) if r.event.type == "note.added"]
    assert [d["text"] for d in notes] == texts
    assert all(b"\x1b" not in line for line in path.read_bytes().splitlines())  # JSON-escaped


@FIXED
@given(title=st.text(max_size=80), body=st.text(max_size=300), cut=st.integers(0, 4000))
def test_runbook_parser_only_raises_runbook_error(
    tmp_path: Path, title: str, body: str, cut: int
) -> None:
    original = SHIPPED.read_text(encoding="utf-8")
    mangled = original.replace("API latency p95 above 600 ms", title, 1)[:cut] + body
    path = tmp_path / "RB-999.md"
    path.write_text(mangled, encoding="utf-8", errors="surrogatepass")
    try:
        runbook = parse_runbook(path)
    except RunbookError as err:
        assert str(err)
    else:
        assert runbook.id == "RB-001"
