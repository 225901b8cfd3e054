"""The bytes that turn one line of the terminal from what it shows into what it should show.

`changed_runs` finds the known columns that differ, widened to whole characters (a cell
whose old double-width character is half overwritten differs too: the caller makes it
unknown, as the terminal blanks it, see `repair`).
`Writer` sends them with the fewest bytes it can be sure of: an SGR only where the style
changes, and then only the colours and attributes that change (or `0;` and the new ones), a
relative move (`CSI n C`) only after text whose width no terminal doubts, else an absolute
one, and a gap between two runs is written again instead of moved over when that is cheaper.
"""

from __future__ import annotations

from rich.color import ColorSystem
from rich.style import Style
from textual.strip import Strip

from cockpit.screens.shadow_cells import Cells, sure_width

__all__ = ["Carry", "Writer", "changed_runs"]


def changed_runs(
    texts: Cells, keys: Cells, old_texts: Cells, old_keys: Cells
) -> list[tuple[int, int]]:
    """The [start, end) column runs to write: known cells that differ from the old line,
    widened to whole double-width characters."""
    runs: list[tuple[int, int]] = []
    width = len(texts)
    x = 0
    while x < width:
        if texts[x] is None or (texts[x] == old_texts[x] and keys[x] == old_keys[x]):
            x += 1
            continue
        start = x
        while (
            x < width
            and texts[x] is not None
            and (texts[x] != old_texts[x] or keys[x] != old_keys[x])
        ):
            x += 1
        while start > 0 and texts[start] == "":
            start -= 1
        while x < width and texts[x] == "":
            x += 1
        if runs and start <= runs[-1][1]:
            start = runs.pop()[0]
        runs.append((start, x))
    return runs


def _in_force(key: str | None) -> str:
    """The SGR in force after a cell with style `key` is written (none after a link)."""
    return "" if key is None or "\x00" in key else key


def _column_after(texts: Cells, start: int, end: int, width: int) -> int:
    """The cursor's column after columns [start, end) are written from `start`, if sure."""
    if end >= width:
        return -1  # at the right margin the cursor waits there, or wraps
    return end if sure_width("".join(texts[start:end])) else -1  # type: ignore[arg-type]


def _move(x: int, y: int, from_x: int, from_y: int) -> str:
    """A cursor move to (x, y) from (from_x, from_y); from_x is -1 when not sure."""
    if y == from_y and 0 <= from_x < x:
        step = x - from_x
        return "\x1b[C" if step == 1 else f"\x1b[{step}C"
    return f"\x1b[{y + 1}H" if x == 0 else f"\x1b[{y + 1};{x + 1}H"


_parsed: dict[str, tuple[frozenset[str], str, str]] = {}


def _parse(key: str) -> tuple[frozenset[str], str, str]:
    """SGR parameters as the attributes they turn on, the foreground and the background."""
    found = _parsed.get(key)
    if found is None:
        attrs: set[str] = set()
        fg = bg = ""
        codes = key.split(";") if key else []
        index = 0
        while index < len(codes):
            code = codes[index]
            index += 1
            if code in ("38", "48"):
                size = 2 if codes[index] == "5" else 4
                colour = ";".join(codes[index - 1 : index + size])
                index += size
                fg, bg = (colour, bg) if code == "38" else (fg, colour)
            elif code.isdigit() and (30 <= int(code) <= 37 or 90 <= int(code) <= 97):
                fg = code
            elif code.isdigit() and (40 <= int(code) <= 47 or 100 <= int(code) <= 107):
                bg = code
            else:
                attrs.add(code)
        found = _parsed[key] = (frozenset(attrs), fg, bg)
    return found


def _sgr(current: str, key: str) -> str:
    """The SGR from `current` to `key`: only what changes when nothing must be turned off
    but a colour (39, 49: default), else from none (`0;`)."""
    if key == current:
        return ""
    if not key:
        return "\x1b[0m"
    if not current:
        return f"\x1b[{key}m"
    full = f"\x1b[0;{key}m"
    attrs, fg, bg = _parse(current)
    new_attrs, new_fg, new_bg = _parse(key)
    if not attrs <= new_attrs:
        return full
    codes = sorted(new_attrs - attrs)
    if new_fg != fg:
        codes.append(new_fg or "39")
    if new_bg != bg:
        codes.append(new_bg or "49")
    if not codes:
        return ""
    delta = f"\x1b[{';'.join(codes)}m"
    return delta if len(delta) < len(full) else full


class Writer:
    """Terminal output for a series of runs, tracking the SGR state and the cursor."""

    def __init__(self, color_system: ColorSystem, links: dict[str, Style], sgr: str = "") -> None:
        self.parts: list[str] = []
        self.sgr = sgr
        """The SGR parameters in force ("" = none, as Textual leaves the terminal)."""
        self.x = -1
        self.y = -1
        """Where the cursor is, when its column is sure (-1 otherwise)."""
        self._color_system = color_system
        self._links = links

    def _text(self, texts: Cells, keys: Cells, start: int, end: int, sgr: str) -> tuple[str, str]:
        """The bytes for columns [start, end) when `sgr` is in force, and the SGR after."""
        out: list[str] = []
        x = start
        while x < end:
            key = keys[x]
            stop = x + 1
            while stop < end and keys[stop] == key:
                stop += 1
            text = "".join(texts[x:stop])  # type: ignore[arg-type]
            assert key is not None
            if "\x00" in key:  # a link: written as Textual writes it, which ends with no SGR
                if sgr:
                    out.append("\x1b[0m")
                    sgr = ""
                out.append(Strip.render_style(self._links[key], text, self._color_system))
            else:
                out.append(_sgr(sgr, key))
                out.append(text)
                sgr = key
            x = stop
        return "".join(out), sgr

    def line(self, y: int, texts: Cells, keys: Cells, runs: list[tuple[int, int]]) -> None:
        """Write `runs` of line `y`, rewriting a gap instead of moving when that is cheaper."""
        width = len(texts)
        index = 0
        while index < len(runs):
            start, end = runs[index]
            index += 1
            while index < len(runs) and self._cheaper_to_rewrite(
                texts, keys, y, (start, end), runs[index][0]
            ):
                end = runs[index][1]
                index += 1
            self.parts.append(_move(start, y, self.x, self.y))
            text, self.sgr = self._text(texts, keys, start, end, self.sgr)
            self.parts.append(text)
            self.x = _column_after(texts, start, end, width)
            self.y = y

    def _cheaper_to_rewrite(
        self, texts: Cells, keys: Cells, y: int, run: tuple[int, int], next_start: int
    ) -> bool:
        """Whether writing columns [end, next_start) again costs fewer bytes than moving over
        them, once `run` = [start, end) is written."""
        start, end = run
        if any(texts[x] is None for x in range(end, next_start)):
            return False
        sgr = _in_force(keys[end - 1])
        key = keys[next_start] or ""
        gap, after_gap = self._text(texts, keys, end, next_start, sgr)
        move = _move(next_start, y, _column_after(texts, start, end, len(texts)), y)
        return len(gap.encode()) + len(_sgr(after_gap, key)) <= len(move) + len(_sgr(sgr, key))

    def raw(self, text: str) -> None:
        """Textual's own bytes (they expect no SGR in force, and leave the cursor unknown)."""
        if self.sgr:
            self.parts.append("\x1b[0m")
            self.sgr = ""
        self.parts.append(text)
        self.x = self.y = -1

    def done(self, keep: bool = False) -> str:
        """Everything written, ending with no SGR in force unless `keep` (see `Carry`)."""
        if self.sgr and not keep:
            self.parts.append("\x1b[0m")
            self.sgr = ""
        return "".join(self.parts)


class Carry:
    """The SGR a frame leaves in force, for the next frame to start from, as long as nothing
    else is written in between: the driver passes all its output through `outgoing`, which
    resets the SGR before any other output (Textual's own bytes assume none in force).

    Each frame used to end with a reset, and its first changed cell set every colour again:
    30-40 bytes a frame in truecolor, for a clock that ticks one digit.
    """

    NEUTRAL = frozenset({"\x1b[?2026h", "\x1b[?2026l"})
    """Output that neither prints nor erases (synchronized update marks): no reset needed."""

    def __init__(self) -> None:
        self.sgr = ""
        """The SGR parameters in force on the terminal."""
        self._frame: tuple[str, str] | None = None

    def expect(self, text: str, sgr: str) -> None:
        """The next output starts with the frame `text`, which leaves `sgr` in force."""
        self._frame = (text, sgr)

    def cancel(self) -> None:
        """The frame expected will not be written."""
        self._frame = None

    def outgoing(self, data: str) -> str:
        """`data` as it must go to the terminal: after a reset unless it is the frame
        expected (Textual adds a cursor move after a frame, which keeps the SGR)."""
        frame, self._frame = self._frame, None
        if frame is not None and data.startswith(frame[0]):
            self.sgr = frame[1]
            return data
        if self.sgr and data not in self.NEUTRAL:
            self.sgr = ""
            return "\x1b[0m" + data
        return data
