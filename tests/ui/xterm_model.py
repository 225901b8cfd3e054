"""An xterm-like screen for tests: it interprets what the cockpit writes, cell by cell.

It knows what Textual and screens/shadow.py write: absolute (CUP) and relative (CUF) cursor
moves, SGR (kept as the attributes, foreground and background in force, so `0;1m` and
`0m` then `1m` are the same), OSC 8 links, line feeds and the synchronized-output mode.
A double-width character takes two cells and writing over either half blanks the other,
as terminals do; a zero-width character joins the cell before it. Anything else written,
or text past the right margin (Textual turns line wrap off), fails the test, unless the
terminal is told to disagree with Rich about some widths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len

Sgr = tuple[frozenset[str], str, str]
"""Attributes on, foreground, background ("" = default)."""
NONE: Sgr = (frozenset(), "", "")
Cell = tuple[str, Sgr, str]
"""Text ("" for the second half of a double-width character), SGR, link ("" = none)."""
BLANK: Cell = (" ", NONE, "")

TOKENS = re.compile(
    r"\x1b\[(\d*)(?:;(\d*))?H"  # 1, 2: cursor position
    r"|\x1b\[(\d*)C"  # 3: cursor forward
    r"|\x1b\[([0-9;]*)m"  # 4: SGR
    r"|\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\"  # 5: link
    r"|\x1b\[\?2026[hl]"  # synchronized output: no effect on cells
    r"|(\n)"  # 6
    r"|(\x1b)"  # 7: anything else: fail
    r"|(.)",  # 8: text
    re.S,
)


def apply_sgr(state: Sgr, params: str) -> Sgr:
    """`state` after `ESC [ params m`."""
    attrs, fg, bg = state
    codes = params.split(";") if params else ["0"]
    index = 0
    while index < len(codes):
        code = codes[index] or "0"
        index += 1
        if code == "0":
            attrs, fg, bg = frozenset(), "", ""
        elif code in ("38", "48"):
            size = 2 if codes[index] == "5" else 4
            colour = ";".join(codes[index : index + size])
            index += size
            fg, bg = (colour, bg) if code == "38" else (fg, colour)
        elif 30 <= int(code) <= 37 or 90 <= int(code) <= 97 or code == "39":
            fg = "" if code == "39" else code
        elif 40 <= int(code) <= 47 or 100 <= int(code) <= 107 or code == "49":
            bg = "" if code == "49" else code
        else:
            attrs = attrs | {code}
    return attrs, fg, bg


@dataclass
class Xterm:
    """A grid of cells, a cursor, the SGR and link in force."""

    width: int
    height: int
    wide: frozenset[str] = frozenset()
    """Characters this terminal draws two cells wide whatever Rich says (emoji presentation);
    with any, text past the right margin overwrites the last column instead of failing."""

    def __post_init__(self) -> None:
        self.cells = [[BLANK] * self.width for _ in range(self.height)]
        self.x = self.y = 0
        self.sgr = NONE
        self.link = ""

    def feed(self, data: str) -> int:
        """Interpret `data`; its size in bytes."""
        for match in TOKENS.finditer(data):
            groups = match.groups()
            if match.group(1) is not None:
                self.y = int(groups[0] or 1) - 1
                self.x = int(groups[1] or 1) - 1
                assert 0 <= self.y < self.height and 0 <= self.x < self.width, match.group()
            elif groups[2] is not None:
                self.x += int(groups[2] or 1)
                assert self.x < self.width, "moved past the right margin"
            elif groups[3] is not None:
                self.sgr = apply_sgr(self.sgr, groups[3])
            elif groups[4] is not None:
                self.link = groups[4]
            elif groups[5]:
                self.x, self.y = 0, self.y + 1
                assert self.y < self.height, "a line feed scrolled the screen"
            elif groups[6]:
                raise AssertionError(f"unexpected sequence at {data[match.start() :][:12]!r}")
            elif groups[7]:
                self._text(groups[7])
        return len(data.encode())

    def _text(self, character: str) -> None:
        size = 2 if character in self.wide else cell_len(character)
        row = self.cells[self.y]
        if size == 0:  # joins the character before the cursor
            x = self.x - 1
            if x >= 0 and row[x][0] == "":
                x -= 1
            assert x >= 0, "a zero-width character with nothing before it"
            text, sgr, link = row[x]
            row[x] = (text + character, sgr, link)
            return
        if self.wide:
            self.x = min(self.x, self.width - size)
        assert self.x + size <= self.width, "text past the right margin"
        for offset in range(size):
            self._put(self.x + offset, (character if offset == 0 else "", self.sgr, self.link))
        self.x += size

    def _put(self, x: int, cell: Cell) -> None:
        row = self.cells[self.y]
        if row[x][0] == "" and x > 0:  # the right half of a wide character: its left goes
            row[x - 1] = BLANK
        elif x + 1 < self.width and row[x + 1][0] == "":  # the left half: its right goes
            row[x + 1] = BLANK
        row[x] = cell

    def scramble(self) -> None:
        """What another program (or a resize) may leave: every cell something else."""
        garbage: Cell = ("?", (frozenset({"7"}), "", ""), "")
        self.cells = [[garbage] * self.width for _ in range(self.height)]

    def text(self, y: int) -> str:
        """Line `y` as plain text."""
        return "".join(cell[0] for cell in self.cells[y])
