"""What counts as progress on the ladder (one definition, as the config doc says), and the
severity matrices of both schemes (definition, response SLA, who is alerted at once)."""

from __future__ import annotations

import re
from pathlib import Path

from command_support import Story, at

from cockpit.command.ladder import PROGRESS, ladder_status
from cockpit.command.schemes import SEV, P, matrix
from cockpit.log import events as ev

CONFIG = Path(__file__).resolve().parents[2] / "config.example.toml"


def next_due(story: Story, minute: float) -> object:
    status = ladder_status(story.state(), at(minute))
    assert status is not None and status.next_level == 2
    return status.next_due


def test_a_plain_note_and_a_status_update_are_progress() -> None:
    story = Story().declare("SEV-2")
    assert next_due(story, 5) == at(15)
    story.add(8, ev.NoteAdded("n1", "pods restart in a loop", "ana"))  # no tag at all
    assert next_due(story, 9) == at(23)
    story.add(12, ev.StatusUpdatePosted("Investigating", "We are looking into it"))
    assert next_due(story, 13) == at(27)
    story.add(14, ev.StatusUpdatePosted("Identified", "Found it", "webhook", "failed"))
    assert next_due(story, 15) == at(27)  # a failed publication is not progress
    story.add(16, ev.MilestoneSet("acknowledged", at(16).isoformat()))
    assert next_due(story, 17) == at(27)  # acknowledging is not progress


def test_the_config_doc_says_what_the_code_counts() -> None:
    doc = " ".join(re.sub(r"^#\s?", "", line) for line in CONFIG.read_text().splitlines())
    assert f"without progress ({PROGRESS};" in doc


def test_severity_matrix_of_the_sev_scheme() -> None:
    rows = {label: (sla, alerted) for label, _meaning, sla, alerted in matrix(SEV)}
    assert rows["SEV-1"] == ("5 min", "CTO, CEO, Compliance officer")
    assert rows["SEV-2"] == ("15 min", "Tech Lead, CTO")
    assert rows["SEV-3"] == ("1 h", "Tech Lead")
    assert rows["SEV-4"][0] == "1 business day" and "nobody at once" in rows["SEV-4"][1]
    meanings = {label: meaning for label, meaning, _sla, _who in matrix(SEV)}
    assert "10 %" in meanings["SEV-1"] and "workaround" in meanings["SEV-3"]


def test_severity_matrix_of_the_p_scheme() -> None:
    rows = {label: (sla, alerted) for label, _meaning, sla, alerted in matrix(P)}
    assert rows == {
        "P0": ("15 min", "Lead Engineer, CTO"),
        "P1": ("1 h", "SRE on call"),
        "P2": ("4 h", "the development team"),
        "P3": ("24 h", "the development team"),
    }
