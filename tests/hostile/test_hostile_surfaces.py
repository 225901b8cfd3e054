"""The hostile corpus through notifications, the runbook screen's Markdown and the safe helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from hostile_corpus import DATA
from hostile_corpus import load as load_corpus
from hostile_log import hostile_strings
from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Markdown, OptionList, Static
from textual.widgets._toast import Toast
from uikit import screen_text

from cockpit.app import AppOptions, CockpitApp
from cockpit.clock import SystemClock
from cockpit.log.events import SourcesConfigured
from cockpit.log.store import IncidentLog
from cockpit.runbook.validate import default_runbook_dirs, load_runbooks
from cockpit.sanitize import clean
from cockpit.screens.dashboard import DashboardScreen
from cockpit.screens.dialogs import ConfirmDialog
from cockpit.screens.header import HeaderInfo
from cockpit.screens.runbook_render import document
from cockpit.screens.runbook_screen import RunbookScreen
from cockpit.screens.safe import md_code, md_text, plain
from cockpit.session import LiveSession
from cockpit.wiring import PlannedSource

ACTIVE = {"link_open", "strong_open", "em_open", "s_open", "image", "html_inline", "html_block"}
"""Markdown tokens that style or link: data must never produce one."""


def _planner() -> tuple[Sequence[PlannedSource], SourcesConfigured]:
    return [], SourcesConfigured(environment="test")


def app_on(path: Path) -> CockpitApp:
    clock = SystemClock()
    log, _ = IncidentLog.open(path, clock=clock)
    return CockpitApp(LiveSession(log, _planner, clock), AppOptions(header=HeaderInfo("LIVE")))


async def until(pilot: Pilot[int], cond: Callable[[], object], timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not reached in time"
        await pilot.pause(0.05)


def tokens(markdown: str) -> list[Token]:
    """Every block and inline token, as Textual's Markdown widget parses it."""
    out: list[Token] = []
    for token in MarkdownIt("gfm-like").parse(markdown):
        out.append(token)
        out.extend(token.children or [])
    return out


def test_corpus_has_the_categories_every_surface_needs() -> None:
    data = load_corpus()
    for key in ("markup", "markdown", "alert_names", "parameter_values", "terminal_escapes"):
        assert data.get(key), key
    shared = Path("/work/shared/fixtures/hostile-strings.json")
    if shared.exists():  # the project's copy of the shared corpus is verbatim
        assert (DATA / "hostile-strings.json").read_bytes() == shared.read_bytes()


def test_a_value_in_a_code_span_stays_one_literal_code_span() -> None:
    for text in hostile_strings():
        found = [t for t in tokens(f"labels: {md_code(text)}") if t.type != "inline"]
        inline = [t for t in found if t.type not in {"paragraph_open", "paragraph_close"}]
        assert [t.type for t in inline] == ["text", "code_inline"], (text, inline)
        assert inline[1].content == (clean(text, single_line=True) or " "), text


def test_a_value_as_markdown_text_is_literal_text() -> None:
    for text in hostile_strings():
        found = tokens(md_text(text))
        assert not {t.type for t in found} & (ACTIVE | {"code_inline", "heading_open"}), text
        shown = "".join(t.content for t in found if t.type in {"text", "softbreak"})
        assert shown == clean(text, single_line=True).strip(), text


def test_plain_never_parses_markup() -> None:
    for text in hostile_strings():
        rendered = plain(text)
        assert rendered.plain == clean(text) and not rendered.spans, text


def test_runbook_document_gains_no_link_or_style_from_labels() -> None:
    runbooks = load_runbooks(default_runbook_dirs())
    runbook = runbooks.get("RB-001")
    assert runbook is not None
    base = [t.type for t in tokens(document(runbook, None))]
    for text in hostile_strings():
        labels = {"alertname": text, "service": f"x`{text}`y", text[:20] or "k": "v"}
        types = [t.type for t in tokens(document(runbook, labels))]
        for kind in ACTIVE:
            assert types.count(kind) == base.count(kind), (kind, text)
        assert types.count("code_inline") == base.count("code_inline") + 1, text


async def test_hostile_alert_names_notify_as_plain_text(tmp_path: Path) -> None:
    app = app_on(tmp_path / "names.jsonl")
    names = [*hostile_strings()]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        for n, name in enumerate(names):
            app.post_message(DashboardScreen.AlertOpened(f"a{n}", name, None, {"x": name}))
        await until(pilot, lambda: len(app._notifications) == len(names))
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None
        messages = [n.message for n in app._notifications]
        assert messages == [f"No runbook is mapped to {clean(m, single_line=True)}." for m in names]
        assert not any(n.markup for n in app._notifications)
        toasts = list(app.screen.query(Toast))
        assert toasts
        for toast in toasts:
            content = toast.render()
            assert isinstance(content, Content)
            assert not content.spans, content.plain  # no style came from the data


async def test_runbook_opened_from_a_hostile_alert_shows_labels_literally(tmp_path: Path) -> None:
    app = app_on(tmp_path / "rb.jsonl")
    label = "x` **INJECTED** [click](https://evil.invalid) `y"
    alert = DashboardScreen.AlertOpened("a1", "[/]", "RB-001", {"service": label, "ns": "[/]"})
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.post_message(alert)
        await until(pilot, lambda: isinstance(app.screen, RunbookScreen))
        await pilot.pause(0.3)
        shown = app.screen.query_one(Markdown).source
        found = tokens(shown)
        assert not any(t.type == "link_open" for t in found[:40])
        codes = [t.content for t in found if t.type == "code_inline"]
        assert f"ns=[/], service={label}" in codes
        assert app.is_running and app.return_code is None


async def test_a_step_titled_with_markup_is_listed_as_text(tmp_path: Path) -> None:
    shipped = next(d for d in default_runbook_dirs() if (d / "RB-001-api-latency.md").exists())
    text = (shipped / "RB-001-api-latency.md").read_text(encoding="utf-8")
    hostile = "[/] [b]x[/b] [link=https://evil.invalid]y[/link]"
    text = text.replace("RB-001", "RB-901").replace("p95 latency per service (last hour)", hostile)
    (tmp_path / "rb").mkdir()
    (tmp_path / "rb" / "RB-901-hostile.md").write_text(text, encoding="utf-8")
    clock = SystemClock()
    log, _ = IncidentLog.open(tmp_path / "steps.jsonl", clock=clock)
    options = AppOptions(header=HeaderInfo("LIVE"), runbook_dirs=(str(tmp_path / "rb"),))
    app = CockpitApp(LiveSession(log, _planner, clock), options, clock=clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.post_message(DashboardScreen.AlertOpened("a1", "x", "RB-901", {"service": "kyc"}))
        await until(pilot, lambda: isinstance(app.screen, RunbookScreen))
        await pilot.pause(0.3)
        steps = app.screen.query_one("#steps", OptionList)
        prompts = [steps.get_option_at_index(i).prompt for i in range(steps.option_count)]
        assert any(isinstance(p, Text) and hostile in p.plain for p in prompts), prompts
        assert "[b]x[/b]" in screen_text(app)  # shown as written, not as bold
        assert app.is_running and app.return_code is None


async def test_a_confirmation_quoting_names_from_outside_shows_them_as_written(
    tmp_path: Path,
) -> None:
    app = app_on(tmp_path / "confirm.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for text in hostile_strings("markup", "terminal_escapes", "alert_names"):
            question = f"Page L2: {text}?"
            app.push_screen(ConfirmDialog(question, yes="Page"))
            await until(pilot, lambda: bool(app.screen.query(Static)))
            shown = app.screen.query(Static).first().render()
            assert isinstance(shown, Content) and not shown.spans, text
            assert shown.plain == clean(question), text
            await pilot.press("n")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert app.is_running and app.return_code is None
