"""What the header and the command screen show of a shared incident."""

from __future__ import annotations

from datetime import UTC, datetime

from cockpit.actions.approvals import ApprovalBook
from cockpit.domain.fold import Folder
from cockpit.domain.records import RoleAssignment
from cockpit.log.codec import encode
from cockpit.log.events import ZERO_HASH
from cockpit.log.events_approval import ApprovalRequested
from cockpit.log.pgpresence import Present
from cockpit.log.shared import SharedStatus, shared_status
from cockpit.screens.header import HeaderInfo, header_text
from cockpit.screens.shared_view import labels, shared_text

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
PEOPLE = (Present("bastion-1", "alice", ""), Present("laptop-3", "bob", "viewer"))


def test_header_says_offline_and_who_is_here_with_their_incident_role() -> None:
    shared = SharedStatus("shared log offline since 03:00", PEOPLE)
    text = header_text(HeaderInfo("LIVE"), Folder().state, T0, 10.0, shared).plain
    assert "shared log offline since 03:00" in text
    assert "alice@bastion-1" in text and "bob@laptop-3 (viewer)" in text
    roles = {"Incident Commander": RoleAssignment("Incident Commander", "alice@bastion-1", T0)}
    assert labels(shared, roles)[0] == "alice@bastion-1 (Incident Commander)"


def test_a_file_log_shows_nothing_shared() -> None:
    assert shared_status(object()) is None
    text = header_text(HeaderInfo("LIVE"), Folder().state, T0, 10.0, None).plain
    assert "here:" not in text and "offline" not in text


def test_command_screen_lists_a_waiting_request_and_marks_ones_own() -> None:
    book = ApprovalBook()
    request = ApprovalRequested("r1", "RB-003", "purge-topic", "purge kyc.events", "kyc.events",
                                "CTO", "alice@bastion-1")  # fmt: skip
    book.apply(encode(1, T0, request.TYPE, request.to_data(), ZERO_HASH, None).event)
    shared = SharedStatus(None, PEOPLE)
    for_bob = shared_text(shared, book, T0, "bob@laptop-3", {}).plain
    assert "r1" in for_bob and "kyc.events" in for_bob and "yours" not in for_bob
    assert "yours" in shared_text(shared, book, T0, "alice@bastion-1", {}).plain
