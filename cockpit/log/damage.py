"""Damage another process did to a shared log, as a live writer finds it while tailing."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.log.events import LogDamaged

BREAKS_CHAIN = frozenset({"foreign", "forged", "chain", "truncated"})
"""Kinds that leave the file's chain broken: the next line written starts a new segment."""


@dataclass(frozen=True, slots=True)
class Damage:
    """One finding: what kind, where in the file (byte offset, size), after which good seq."""

    kind: str
    offset: int
    size: int
    after_seq: int
    detail: str
    moved_to: str = ""
    lines: int = 1

    @property
    def breaks_chain(self) -> bool:
        """True when the file's chain is broken here (a torn tail moved aside is not)."""
        return self.kind in BREAKS_CHAIN

    def payload(self, *, segment: bool) -> LogDamaged:
        """The `log.damaged` event recording this finding."""
        return LogDamaged(
            kind=self.kind,
            offset=self.offset,
            size=self.size,
            after_seq=self.after_seq,
            detail=self.detail,
            segment=segment,
            moved_to=self.moved_to,
        )

    def continued_by(self, more: Damage) -> bool:
        """True when `more` is the same kind of bad line, right after this one."""
        return (
            self.kind in ("foreign", "forged", "chain")
            and more.kind == self.kind
            and more.offset == self.offset + self.size
        )

    def extend(self, more: Damage) -> Damage:
        """This finding and the contiguous one after it, as one."""
        lines = self.lines + more.lines
        detail = f"{lines} consecutive lines; the first: {self.detail.split('; the first: ')[-1]}"
        return Damage(
            self.kind, self.offset, self.size + more.size, self.after_seq, detail, "", lines
        )

    def summary(self) -> str:
        """One line for a notification or stderr."""
        where = f"at byte {self.offset:,} (after seq {self.after_seq})"
        kept = f"; kept in {self.moved_to}" if self.moved_to else ""
        return f"log damaged by another process: {self.kind} {where}: {self.detail}{kept}"


def foreign(offset: int, size: int, after_seq: int, why: str) -> Damage:
    """A line that is not a line of this log (another program wrote it, or an editor)."""
    return Damage("foreign", offset, size, after_seq, f"a {size:,}-byte line that is {why}")


def truncated(old_end: int, size: int, file_seq: int | None, known_seq: int) -> Damage:
    """The file is shorter than what this writer had already read (up to `known_seq`);
    `file_seq` is the last seq still in it (None when no whole line is left)."""
    if file_seq is not None:
        lost = f"seq {file_seq + 1} to {known_seq}"
    elif size:
        lost = f"the lines after byte {size:,} (up to seq {known_seq})"
    else:
        lost = f"every line (up to seq {known_seq})"
    return Damage(
        "truncated",
        size,
        old_end - size,
        file_seq or 0,
        f"the log shrank from {old_end:,} to {size:,} bytes: {lost}, read by this cockpit "
        "before, went missing",
    )
