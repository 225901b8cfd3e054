"""Hostile outside text stays inert in Slack lines and GitHub Markdown (pure mapping)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hostile_corpus import load as load_corpus

from cockpit.log.events import Event, IncidentDeclared, NoteAdded
from cockpit.outbox.mapping import Context, Targets, deliveries

HOSTILE = load_corpus()
STRINGS = [s for key, values in HOSTILE.items() if key != "about" for s in values]
WHEN = datetime(2026, 3, 4, 2, 10, 5, tzinfo=UTC)
BOTH = Targets(slack=True, github=True, announce=True)


def event(seq: int, payload: object) -> Event:
    data = payload.to_data()  # type: ignore[attr-defined]
    return Event(seq, WHEN, payload.TYPE, data, "0" * 64, f"{seq:064d}")  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", STRINGS)
def test_hostile_note_is_inert(text: str) -> None:
    ctx = Context("INC-1", "t", "SEV-2", "#inc-x")
    note = NoteAdded("n1", text, "ana")
    [slack] = deliveries(event(3, note), note, ctx, BOTH)
    assert slack.text.startswith("[02:10:05Z] note by ana: ")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", slack.text)
    assert "<" not in slack.text and ">" not in slack.text.split("] ", 1)[1]


@pytest.mark.parametrize("text", STRINGS)
def test_hostile_title_in_the_issue_body_is_escaped(text: str) -> None:
    ctx = Context("INC-1", text, "SEV-2", "#inc-x")
    declared = IncidentDeclared("INC-1", text, "SEV-2", channel="#inc-x", actor="ana")
    slack, github = deliveries(event(2, declared), declared, ctx, BOTH)
    assert slack.kind == "channel" and slack.invite == ("ana",)
    assert github.kind == "open" and github.labels == ("incident", "SEV-2")
    first = github.text.splitlines()[0]
    # No unescaped Markdown control character survives in the title line.
    assert not re.search(r"(?<!\\)[`*_\[\]<>#|~@!]", first)
    assert "\n" not in github.title and "\x1b" not in github.title


def test_other_writers_events_are_not_mine() -> None:
    from cockpit.outbox.book import OutboxBook

    book = OutboxBook("ana", BOTH)
    declared = IncidentDeclared("INC-1", "Disk", "SEV-2", channel="#inc-x", actor="bruno")
    book.apply(event(2, declared))
    note = NoteAdded("n1", "mine", "ana")
    book.apply(Event(3, WHEN, note.TYPE, {**note.to_data(), "incident_id": "INC-1"},
                     "0" * 64, "3" * 64))  # fmt: skip
    assert [(d.target, d.kind, d.ref_seq) for d in book.pending()] == [("slack", "message", 3)]
