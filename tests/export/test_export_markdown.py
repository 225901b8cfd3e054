"""The exports are well-formed Markdown: markdown-it parses them into the expected structure,
and rendering the parsed text back gives the values the log holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_logs import incident_log
from markdown_it import MarkdownIt
from markdown_it.token import Token

from cockpit.export.run import export_markdown

POSTMORTEM_SECTIONS = [
    "Summary", "Impact in figures", "Alerts that fired", "Severity history", "Roles",
    "Escalations", "Timeline", "Mitigations", "Status page history", "Root cause and five whys",
    "What worked", "What did not work", "Decisions taken", "Corrective actions", "Lessons learned",
    "About this document",
]  # fmt: skip


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            found.append((token.tag, tokens[i + 1].content))
    return found


def list_items(tokens: list[Token]) -> list[str]:
    """The plain text of every list item (inline children with escapes resolved)."""
    items = []
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            inline = tokens[i + 2]
            assert inline.type == "inline"
            items.append("".join(c.content for c in inline.children or [] if c.type == "text"))
    return items


@pytest.fixture
def document(tmp_path: Path) -> str:
    return export_markdown(incident_log(tmp_path / "i.jsonl"), redact=True).markdown


def test_postmortem_has_the_post_mortem_structure(document: str) -> None:
    tokens = MarkdownIt("commonmark").parse(document)
    found = headings(tokens)
    assert found[0] == ("h1", "Post-mortem: KYC checks delayed by consumer lag (2025-03-12)")
    assert [text for tag, text in found[1:]] == POSTMORTEM_SECTIONS
    # No raw HTML and no link slipped through from the log's text.
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    inline = [c for t in tokens if t.children for c in t.children]
    assert not [c for c in inline if c.type in ("link_open", "html_inline", "image")]


def test_escaped_values_read_back_as_the_logged_text(document: str) -> None:
    items = list_items(MarkdownIt("commonmark").parse(document))
    assert (
        "Peak consumer lag: 48 000 messages (kyc-consumer / kyc.cases) at 2025-03-12 14:30:40 UTC"
        in items
    )
    redacted = [i for i in items if i.startswith("tenant-A called [phone]; dsn was ")]
    assert redacted and redacted[0].startswith(
        "tenant-A called [phone]; dsn was postgres://kyc:***@db:5432/kyc"
    )


def test_rendering_is_stable_through_html(document: str) -> None:
    html = MarkdownIt("commonmark").render(document)
    assert html.count("<h2>") == len(POSTMORTEM_SECTIONS) - 4
    assert html.count("<h3>") == 4  # alerts, severity, roles, escalations under the impact
    assert "<script" not in html
